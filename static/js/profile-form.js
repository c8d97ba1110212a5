/* The cooperative's profile form (templates/cooperatives/selfservice/_profile_form.html). Everything here is an
 * enhancement: without JavaScript the "show" buttons post the form back and the server narrows the lists, and the
 * coordinates are typed as numbers. Texts come from data- attributes, so this file holds no user-facing strings.
 *   [data-gmina-picker]  voivodeship -> powiat -> gmina selects and a search box, filled from data-options-url
 *   [data-map-picker]    a Leaflet map: a click (or dragging the pin) writes the latitude and longitude inputs
 *   [data-pkd-list]      PKD rows: "add" clones the empty row in place instead of posting the form */
(function () {
  "use strict";

  function format(template, value) {
    return template.replace("%s", value);
  }

  // --- Gmina picker -----------------------------------------------------------------------------------------

  function initGminaPicker(box) {
    var voivodeship = box.querySelector("select[name=voivodeship]");
    var powiat = box.querySelector("select[name=powiat]");
    var gmina = box.querySelector("select[name=gmina]");
    var search = box.querySelector("input[name=gmina_search]");
    var status = box.querySelector("[role=status]");
    var url = box.dataset.optionsUrl;
    var timer = null;
    var controller = null;
    if (!voivodeship || !powiat || !gmina || !search || !url || !window.fetch) {
      return;
    }
    box.querySelectorAll("[data-step-button]").forEach(function (button) {
      button.hidden = true;
    });

    function fill(select, options) {
      var chosen = select.value;
      select.replaceChildren();
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = box.dataset.choose;
      select.appendChild(empty);
      options.forEach(function (option) {
        var element = document.createElement("option");
        element.value = option[0];
        element.textContent = option[1];
        if (option[0] === chosen) {
          element.selected = true;
        }
        select.appendChild(element);
      });
    }

    function load(params, done) {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      fetch(url + "?" + new URLSearchParams(params).toString(), { signal: controller.signal, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { options: [], more: false };
        })
        .then(done)
        .catch(function () {});
    }

    voivodeship.addEventListener("change", function () {
      fill(powiat, []);
      fill(gmina, []);
      if (voivodeship.value) {
        load({ parent: voivodeship.value }, function (data) {
          fill(powiat, data.options);
        });
      }
    });

    powiat.addEventListener("change", function () {
      fill(gmina, []);
      if (powiat.value) {
        load({ parent: powiat.value }, function (data) {
          fill(gmina, data.options);
          status.textContent = format(box.dataset.loaded, data.options.length);
        });
      }
    });

    function runSearch() {
      var query = search.value.trim();
      if (query.length < 2) {
        return;
      }
      load({ q: query }, function (data) {
        fill(gmina, data.options);
        if (!data.options.length) {
          status.textContent = box.dataset.none;
        } else if (data.more) {
          status.textContent = format(box.dataset.foundMore, data.options.length);
        } else {
          status.textContent = format(box.dataset.found, data.options.length);
        }
      });
    }

    search.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(runSearch, 300);
    });
    search.addEventListener("keydown", function (event) {
      // Enter searches here (without JavaScript it would save the form: the first button is "Zapisz").
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        runSearch();
      }
    });
  }

  // --- Map picker -------------------------------------------------------------------------------------------

  var POLAND = [[49.0, 14.1], [54.9, 24.2]];

  function initMapPicker(el) {
    if (typeof L === "undefined") {
      return;
    }
    var lat = document.getElementById(el.dataset.latInput);
    var lon = document.getElementById(el.dataset.lonInput);
    if (!lat || !lon) {
      return;
    }
    el.hidden = false;
    if (el.dataset.iconUrl) {
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions({
        iconUrl: el.dataset.iconUrl,
        iconRetinaUrl: el.dataset.iconRetinaUrl,
        shadowUrl: el.dataset.shadowUrl
      });
    }
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tilesUrl, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    var marker = null;

    function typed() {
      var y = parseFloat(lat.value.replace(",", "."));
      var x = parseFloat(lon.value.replace(",", "."));
      return isFinite(y) && isFinite(x) ? L.latLng(y, x) : null;
    }

    function write(point) {
      lat.value = point.lat.toFixed(6);
      lon.value = point.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function place(point) {
      if (!marker) {
        marker = L.marker(point, { draggable: true, title: el.dataset.markerLabel, alt: el.dataset.markerLabel });
        marker.addTo(map);
        marker.on("dragend", function () {
          write(marker.getLatLng());
        });
      } else {
        marker.setLatLng(point);
      }
    }

    var start = typed();
    if (start) {
      map.setView(start, 15);
      place(start);
    } else {
      map.fitBounds(POLAND);
    }
    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = typed();
        if (point) {
          place(point);
          map.panTo(point);
        }
      });
    });
  }

  // --- PKD rows ---------------------------------------------------------------------------------------------

  function initPkdList(box) {
    var rows = box.querySelector("[data-pkd-rows]");
    var template = box.querySelector("template[data-pkd-template]");
    var add = box.querySelector("[data-pkd-add]");
    var total = box.querySelector("input[name='pkd-TOTAL_FORMS']");
    var max = box.querySelector("input[name='pkd-MAX_NUM_FORMS']");
    if (!rows || !template || !add || !total) {
      return;
    }
    add.addEventListener("click", function (event) {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) {
        return; // the server says the list is full
      }
      event.preventDefault();
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var input = rows.lastElementChild && rows.lastElementChild.querySelector("input[type=text]");
      if (input) {
        input.focus();
      }
    });
  }

  document.querySelectorAll("[data-gmina-picker]").forEach(initGminaPicker);
  document.querySelectorAll("[data-map-picker]").forEach(initMapPicker);
  document.querySelectorAll("[data-pkd-list]").forEach(initPkdList);
})();
