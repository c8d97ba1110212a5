/* The status page of a running import: asks the server every second how many rows are done and shows it; when the
   import has finished, reloads the page to show the outcome. Without JavaScript the page refreshes itself
   every few seconds (a meta refresh inside <noscript>). */
(function () {
  "use strict";
  var box = document.querySelector(".import-progress[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".import-progress-text");
  var timer = window.setInterval(function () {
    window.fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.finished) {
          window.clearInterval(timer);
          window.location.reload();
          return;
        }
        if (data.total) {
          bar.max = data.total;
          bar.value = data.done;
          text.textContent = data.done + " / " + data.total;
        }
      })
      .catch(function () { /* try again at the next tick */ });
  }, 1000);
}());
