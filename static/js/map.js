/* Maps of the portal (Leaflet). Configuration comes from data- attributes, texts included, so this file holds no
 * user-facing strings and no inline script is needed.
 *   [data-map="pin"]      a cooperative's seat on its profile
 *   [data-map="registry"] the registry map: asks data-url for the visible bounding box on every move; the server
 *                         answers with grid clusters (far out) or points (close in), clustered further here. */
(function () {
  "use strict";

  if (typeof L === "undefined") {
    return;
  }

  function useIcons(el) {
    // The manifest storage renames files, which defeats Leaflet's own guess of the icon path.
    if (el.dataset.iconUrl) {
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions({
        iconUrl: el.dataset.iconUrl,
        iconRetinaUrl: el.dataset.iconRetinaUrl,
        shadowUrl: el.dataset.shadowUrl
      });
    }
  }

  function tiles(el) {
    return L.tileLayer(el.dataset.tilesUrl, { maxZoom: 19, attribution: el.dataset.attribution });
  }

  function format(template, value) {
    return template.replace("%s", value);
  }

  function initPin(el) {
    useIcons(el);
    var position = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    var approximate = el.dataset.approximate === "true";
    var map = L.map(el, { scrollWheelZoom: false }).setView(position, approximate ? 11 : 15);
    tiles(el).addTo(map);
    if (approximate) {
      L.circle(position, { radius: 3000 }).addTo(map);
    } else {
      L.marker(position, { title: el.dataset.label, alt: el.dataset.label }).addTo(map);
    }
  }

  function initRegistry(el) {
    useIcons(el);
    // The area the filters choose (data-bounds: south,west,north,east), else the whole country.
    var bounds = [[49.0, 14.1], [54.9, 24.2]];
    if (el.dataset.bounds) {
      var b = el.dataset.bounds.split(",").map(parseFloat);
      if (b.length === 4 && b.every(isFinite)) {
        bounds = [[b[0], b[1]], [b[2], b[3]]];
      }
    }
    var map = L.map(el).fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    tiles(el).addTo(map);
    var points = L.markerClusterGroup({ chunkedLoading: true });
    var clusters = L.layerGroup();
    map.addLayer(points);
    map.addLayer(clusters);
    var status = document.getElementById("map-status");
    var controller = null;
    var timer = null;
    var lang = document.documentElement.lang || "pl";

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function pointMarker(point) {
      var marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name });
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = el.dataset.detailUrl.replace("0000000000", point.krs);
      link.textContent = point.name;
      var precision = document.createElement("p");
      precision.textContent = point.precision === "gmina_centre" ? el.dataset.textApproximate : el.dataset.textExact;
      popup.appendChild(link);
      popup.appendChild(precision);
      marker.bindPopup(popup);
      return marker;
    }

    function clusterMarker(cluster) {
      var size = cluster.count < 100 ? "small" : cluster.count < 1000 ? "medium" : "large";
      var label = format(el.dataset.textCluster, cluster.count.toLocaleString(lang));
      var icon = L.divIcon({
        html: "<div><span>" + cluster.count.toLocaleString(lang) + "</span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(44, 44)
      });
      var marker = L.marker([cluster.lat, cluster.lon], { icon: icon, title: label, alt: label, keyboard: true });
      marker.on("click", function () {
        map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 18));
      });
      return marker;
    }

    function render(data) {
      points.clearLayers();
      clusters.clearLayers();
      points.addLayers(data.points.map(pointMarker));
      data.clusters.forEach(function (cluster) {
        clusters.addLayer(clusterMarker(cluster));
      });
      say(format(el.dataset.textTotal, data.total.toLocaleString(lang)));
    }

    function load() {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      var bounds = map.getBounds();
      var bbox = [
        Math.max(bounds.getWest(), -180),
        Math.max(bounds.getSouth(), -90),
        Math.min(bounds.getEast(), 180),
        Math.min(bounds.getNorth(), 90)
      ].map(function (value) { return value.toFixed(4); });
      var url = el.dataset.url + (el.dataset.url.indexOf("?") === -1 ? "?" : "&") +
        "bbox=" + bbox.join(",") + "&zoom=" + map.getZoom();
      say(el.dataset.textLoading);
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(render)
        .catch(function (error) {
          if (error.name !== "AbortError") {
            say(el.dataset.textError);
          }
        });
    }

    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    load();
  }

  document.querySelectorAll('[data-map="pin"]').forEach(initPin);
  document.querySelectorAll('[data-map="registry"]').forEach(initRegistry);
})();
