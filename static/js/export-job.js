// The background export's page: asks for the job's state every few seconds and reloads once it has finished
// (without JavaScript the meta refresh in <noscript> does the same, a little less promptly; with JavaScript the
// page itself never reloads before the file is ready, so nothing a reader is doing on it is interrupted).
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !box.dataset.statusUrl) {
    return;
  }
  var bar = document.getElementById("export-job-progress");
  var label = document.getElementById("export-job-status");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) {
          window.setTimeout(poll, 10000);
          return;
        }
        if (state.finished) {
          window.location.reload();
          return;
        }
        if (bar) { bar.value = state.progress; }
        if (label) { label.textContent = state.status_display; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
