// Drawing a phase boundary (绘制分片范围) on the new-phase form: each click on the map adds a
// corner; "Close the polygon" writes the polygon as GeoJSON (EPSG:4490 longitude/latitude) into
// the form's geometry field, which the server checks and measures. District boundaries,
// guideline parcels (导则地块, which a phase may not cut) and parcels are drawn from this
// server's tiles for reference; nothing comes from elsewhere.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("draw-config").textContent);
  const field = document.getElementById("draw-geometry");
  const count = document.getElementById("draw-count");
  const origin = window.location.origin;
  let corners = [];

  const map = new maplibregl.Map({
    container: "draw-map",
    style: {
      version: 8,
      sources: {
        districts: { type: "vector", tiles: [origin + "/tiles/districts/{z}/{x}/{y}.mvt"], maxzoom: 14 },
        parcels: { type: "vector", tiles: [origin + "/tiles/parcels/{z}/{x}/{y}.mvt"], maxzoom: 16 },
        guides: { type: "vector", tiles: [origin + "/tiles/guideline_parcel/{z}/{x}/{y}.mvt"], maxzoom: 14 },
        drawn: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#f4f6f8" } },
        { id: "parcels-line", type: "line", source: "parcels", "source-layer": "parcels",
          minzoom: 13, paint: { "line-color": "#7f8c8d", "line-width": 0.6 } },
        { id: "guides-line", type: "line", source: "guides", "source-layer": "guideline_parcel",
          paint: { "line-color": "#9e9ac8", "line-width": 1.5 } },
        { id: "districts-line", type: "line", source: "districts", "source-layer": "districts",
          paint: { "line-color": "#34495e", "line-width": 1.5, "line-dasharray": [3, 2] } },
        { id: "drawn-fill", type: "fill", source: "drawn", filter: ["==", "$type", "Polygon"],
          paint: { "fill-color": "#c0392b", "fill-opacity": 0.25 } },
        { id: "drawn-line", type: "line", source: "drawn",
          paint: { "line-color": "#c0392b", "line-width": 2 } },
        { id: "drawn-corners", type: "circle", source: "drawn", filter: ["==", "$type", "Point"],
          paint: { "circle-radius": 4, "circle-color": "#c0392b" } },
      ],
    },
    bounds: [[config.bounds[0], config.bounds[1]], [config.bounds[2], config.bounds[3]]],
    fitBoundsOptions: { padding: 20 },
    maxZoom: 19,
    doubleClickZoom: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  window.landrenewDrawMap = map;
  map.on("idle", () => { document.body.dataset.mapIdle = String(Date.now()); });

  function ring() { return corners.concat([corners[0]]); }

  function show(closed) {
    const features = corners.map((c) => ({ type: "Feature", properties: {},
                                           geometry: { type: "Point", coordinates: c } }));
    if (corners.length > 1) {
      features.push({ type: "Feature", properties: {}, geometry: closed
        ? { type: "Polygon", coordinates: [ring()] }
        : { type: "LineString", coordinates: corners } });
    }
    const source = map.getSource("drawn");
    if (source) { source.setData({ type: "FeatureCollection", features: features }); }
    count.textContent = corners.length ? String(corners.length) + " ·" : "";
  }

  map.on("click", (e) => {
    corners.push([Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))]);
    show(false);
  });
  document.getElementById("draw-close").addEventListener("click", () => {
    if (corners.length < 3) { return; }
    field.value = JSON.stringify({ type: "Polygon", coordinates: [ring()] });
    show(true);
  });
  document.getElementById("draw-clear").addEventListener("click", () => {
    corners = [];
    field.value = "";
    show(false);
  });
  map.on("load", () => {  // a boundary kept from a refused form is shown again
    try {
      const kept = JSON.parse(field.value || "null");
      if (kept && kept.type === "Polygon") {
        corners = kept.coordinates[0].slice(0, -1);
        show(true);
        const xs = corners.map((c) => c[0]);
        const ys = corners.map((c) => c[1]);
        map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]],
                      { padding: 80, maxZoom: 17, duration: 0 });
      }
    } catch (err) { /* not GeoJSON: the server said so beside the field */ }
  });
})();
