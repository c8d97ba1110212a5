/* While an import is being saved, asks the server how many rows are done and shows it. Without JavaScript the
   page simply waits for the result. */
(function () {
  "use strict";
  var form = document.querySelector("form.import-form");
  if (!form || !window.fetch) { return; }
  var box = form.querySelector(".import-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".import-progress-text");

  form.addEventListener("submit", function () {
    box.hidden = false;
    window.setInterval(function () {
      window.fetch(form.getAttribute("data-progress-url"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || !data.total) { return; }
          bar.max = data.total;
          bar.value = data.done;
          text.textContent = data.done + " / " + data.total;
        })
        .catch(function () { /* the import's own response will tell the outcome */ });
    }, 1000);
  });
}());
