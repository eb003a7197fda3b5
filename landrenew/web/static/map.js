// The map page (地图): parcels as vector tiles coloured by low-efficiency category, district
// boundaries, zone layers that can be switched on, a click that loads the parcel card.
// Every script, style and tile comes from this server: the base map is the bureau's own tiles
// (/basemap, a tile file or an intranet service the server reads), else 天地图 with a key, else a
// plain style drawn from the districts and zones. Only the layers the viewer may read are drawn.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const origin = window.location.origin;
  const tiles = (layer) => [origin + "/tiles/" + layer + "/{z}/{x}/{y}.mvt"];

  const categoryColour = ["match", ["get", "category"]];
  config.categories.forEach((c) => { categoryColour.push(c.code, c.colour); });
  categoryColour.push(["case", ["==", ["get", "is_low_efficiency"], false], config.not_low,
                       ["==", ["get", "is_low_efficiency"], true], config.other,
                       config.not_evaluated]);

  const readable = (layer) => config.layers.indexOf(layer) >= 0;
  const sources = {};
  if (readable("parcels")) {
    sources.parcels = { type: "vector", tiles: tiles("parcels"), minzoom: 0, maxzoom: 16 };
  }
  if (readable("districts")) {
    sources.districts = { type: "vector", tiles: tiles("districts"), minzoom: 0, maxzoom: 14 };
  }
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#f4f6f8" } }];
  const base = config.basemap;
  if (base && base.kind === "raster") {
    sources.basemap = { type: "raster", tiles: [origin + base.tiles], tileSize: base.tile_size,
                        minzoom: base.minzoom, maxzoom: base.maxzoom,
                        attribution: base.attribution };
    layers.push({ id: "basemap-raster", type: "raster", source: "basemap" });
  } else if (base) {  // vector tiles of the bureau's own: a plain grey drawing of every layer
    sources.basemap = { type: "vector", tiles: [origin + base.tiles], minzoom: base.minzoom,
                        maxzoom: base.maxzoom, attribution: base.attribution };
    base.layers.forEach((name) => {
      layers.push({ id: "basemap-" + name + "-fill", type: "fill", source: "basemap",
                    "source-layer": name, filter: ["==", ["geometry-type"], "Polygon"],
                    paint: { "fill-color": "#e4e7ea", "fill-opacity": 0.6 } });
      layers.push({ id: "basemap-" + name + "-line", type: "line", source: "basemap",
                    "source-layer": name, filter: ["!=", ["geometry-type"], "Point"],
                    paint: { "line-color": "#b8bec4", "line-width": 0.6 } });
    });
  } else if (!config.tianditu) {  // the plain style: the districts and zones as the ground
    if (sources.districts) {
      layers.push({ id: "plain-districts", type: "fill", source: "districts",
                    "source-layer": "districts",
                    paint: { "fill-color": "#e8ede4", "fill-outline-color": "#c9d1c3" } });
    }
    config.zones.forEach((z) => {
      sources[z.code] = { type: "vector", tiles: tiles(z.code), minzoom: 0, maxzoom: 14 };
      layers.push({ id: "plain-" + z.code, type: "fill", source: z.code, "source-layer": z.code,
                    paint: { "fill-color": z.colour, "fill-opacity": 0.07 } });
    });
  }
  if (config.tianditu) {
    const wmts = (layer) => ["0", "1", "2", "3"].map((s) =>
      "https://t" + s + ".tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile" +
      "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles" +
      "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + encodeURIComponent(config.tianditu));
    sources.tianditu = { type: "raster", tiles: wmts("vec"), tileSize: 256, maxzoom: 18,
                         attribution: "© 天地图" };
    sources.tianditu_labels = { type: "raster", tiles: wmts("cva"), tileSize: 256, maxzoom: 18 };
    layers.push({ id: "basemap-tianditu", type: "raster", source: "tianditu" });
    layers.push({ id: "basemap-tianditu-labels", type: "raster", source: "tianditu_labels" });
  }
  config.zones.forEach((z) => {
    sources[z.code] = { type: "vector", tiles: tiles(z.code), minzoom: 0, maxzoom: 14 };
    layers.push({ id: z.code + "-fill", type: "fill", source: z.code, "source-layer": z.code,
                  layout: { visibility: "none" },
                  paint: { "fill-color": z.colour, "fill-opacity": 0.18 } });
    layers.push({ id: z.code + "-line", type: "line", source: z.code, "source-layer": z.code,
                  layout: { visibility: "none" },
                  paint: { "line-color": z.colour, "line-width": 1.5 } });
  });
  if (sources.parcels) {
    layers.push({ id: "parcels-fill", type: "fill", source: "parcels", "source-layer": "parcels",
                  paint: { "fill-color": categoryColour, "fill-opacity": 0.8 } });
    layers.push({ id: "parcels-line", type: "line", source: "parcels", "source-layer": "parcels",
                  minzoom: 14, paint: { "line-color": "#ffffff", "line-width": 0.5 } });
    layers.push({ id: "parcels-selected", type: "line", source: "parcels",
                  "source-layer": "parcels", filter: ["==", ["get", "parcel_code"], ""],
                  paint: { "line-color": "#000000", "line-width": 3 } });
  }
  if (sources.districts) {
    layers.push({ id: "districts-line", type: "line", source: "districts",
                  "source-layer": "districts",
                  paint: { "line-color": "#34495e", "line-width": 1.5, "line-dasharray": [3, 2] } });
  }

  const map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: sources, layers: layers },
    bounds: [[config.bounds[0], config.bounds[1]], [config.bounds[2], config.bounds[3]]],
    fitBoundsOptions: { padding: 20 },
    maxZoom: 19,
    attributionControl: { compact: true },
    canvasContextAttributes: { preserveDrawingBuffer: true },  // lets tests and users save the canvas
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  window.landrenewMap = map;

  map.on("idle", () => { document.body.dataset.mapIdle = String(Date.now()); });

  if (sources.parcels) {
    map.on("mouseenter", "parcels-fill", () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "parcels-fill", () => { map.getCanvas().style.cursor = ""; });
    map.on("click", "parcels-fill", (e) => {
      const feature = e.features && e.features[0];
      if (!feature) { return; }
      const props = feature.properties || {};
      if (props.count !== undefined) {  // an overview cell: zoom in to the parcels
        map.easeTo({ center: e.lngLat, zoom: Math.max(map.getZoom() + 2, 13) });
        return;
      }
      const code = props.parcel_code;
      map.setFilter("parcels-selected", ["==", ["get", "parcel_code"], code]);
      htmx.ajax("GET", config.card_url.replace("{code}", encodeURIComponent(code)),
                { target: "#card", swap: "innerHTML" });
    });
  }

  document.querySelectorAll("#layers input[type=checkbox]").forEach((box) => {
    box.addEventListener("change", () => {
      const prefix = box.dataset.layer + "-";
      map.getStyle().layers.forEach((layer) => {
        if (layer.id.startsWith(prefix)) {
          map.setLayoutProperty(layer.id, "visibility", box.checked ? "visible" : "none");
        }
      });
    });
  });
})();
