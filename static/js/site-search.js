// The header's search box as an ARIA 1.2 combobox with a listbox of suggestions (templates/includes/site_search.html).
// Without this script the box is a plain GET form to the search page. Keys: Down/Up move through the suggestions
// (aria-activedescendant; focus stays in the field), Enter opens the chosen one (or submits the search), Escape
// closes the list (a second Escape clears the field). A polite live region says how many suggestions there are.
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  var listbox = document.getElementById("site-search-listbox");
  var status = document.getElementById("site-search-status");
  if (!input || !listbox || !status || !window.fetch) return;

  var url = input.getAttribute("data-suggest-url");
  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);

  function announce(count) {
    var text;
    if (count === 0) text = status.getAttribute("data-none");
    else if (count === 1) text = status.getAttribute("data-one");
    else if (count % 10 >= 2 && count % 10 <= 4 && (count % 100 < 10 || count % 100 >= 20)) text = status.getAttribute("data-few");
    else text = status.getAttribute("data-many");
    status.textContent = text.replace("%(count)s", String(count));
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    var options = listbox.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function render(suggestions) {
    items = suggestions;
    listbox.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    suggestions.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "site-search-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "site-search-option";
      var label = document.createElement("span");
      label.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "site-search-kind";
      kind.textContent = " – " + item.kind;
      option.appendChild(label);
      option.appendChild(kind);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { go(index); });
      listbox.appendChild(option);
    });
    var open = suggestions.length > 0;
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    announce(suggestions.length);
  }

  function go(index) {
    if (index >= 0 && index < items.length) window.location.assign(items[index].url);
  }

  function load() {
    var query = input.value.trim();
    if (query.length < 2) { items = []; close(); status.textContent = ""; return; }
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { if (ticket === latest) render(data.suggestions || []); })
      .catch(function () { if (ticket === latest) close(); });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      if (listbox.hidden) { if (items.length) { listbox.hidden = false; input.setAttribute("aria-expanded", "true"); } else { load(); } return; }
      setActive(active + 1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      if (!listbox.hidden) setActive(active < 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (!listbox.hidden && active >= 0) { event.preventDefault(); go(active); }
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (!listbox.hidden) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; }
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
})();
