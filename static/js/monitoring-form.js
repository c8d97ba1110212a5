/* Hides conditional questions whose condition is not met. Without JavaScript they stay visible with a note,
   and the server ignores answers to hidden questions either way. */
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) { return; }

  function currentValues(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      values.push(input.value);
    });
    return values;
  }

  function isShown(block) {
    var parentName = block.getAttribute("data-condition-on");
    var parentBlock = form.querySelector('[name="' + parentName + '"]');
    parentBlock = parentBlock && parentBlock.closest(".question");
    if (parentBlock && parentBlock.hasAttribute("data-condition-on") && !isShown(parentBlock)) { return false; }
    return currentValues(parentName).indexOf(block.getAttribute("data-condition-value")) !== -1;
  }

  function update() {
    form.querySelectorAll(".question[data-condition-on]").forEach(function (block) {
      var shown = isShown(block);
      block.hidden = !shown;
      var note = block.querySelector(".condition-note");
      if (note) { note.hidden = true; }
    });
  }

  form.addEventListener("change", update);
  update();
}());
