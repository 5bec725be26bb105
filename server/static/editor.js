// The SPARQL editor: YASGUI (bundled by `make serve` into /static/vendor/) in place of
// the plain form. Without it (not installed, or JavaScript off) the form still works.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var holder = document.getElementById("editor");
  if (!form || !holder || !window.Yasgui) return;
  var prefixes = JSON.parse(form.dataset.prefixes || "{}");
  var base = form.dataset.base || "";
  var textarea = document.getElementById("query");

  // Prefix completion offers the project's prefixes (YASGUI's own list is generic).
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "voxprefixes",
    persistenceId: null,
    get: function () {
      return Promise.resolve(Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; }));
    }
  }, false);

  // This project's IRIs open their pages on this server; the rest are left alone.
  function localHref(iri) {
    if (iri.indexOf(base + "id/") === 0) return "/page/" + iri.slice((base + "id/").length);
    if (iri.indexOf(base + "ontology#") === 0) return "/ontology#" + iri.slice((base + "ontology#").length);
    return null;
  }

  // Plain values by default (YASR's "Simple view"): "P30D" reads "30 days", no @en or
  // ^^xsd:date. Unticking "Simple view" shows the RDF terms as they are.
  var Table = Yasgui.Yasr.plugins.table;
  var rdfLiteral = Table.prototype.formatLiteral;
  Table.prototype.formatLiteral = function (binding, prefixes) {
    if (!this.persistentConfig.compact) return rdfLiteral.call(this, binding, prefixes);
    var plain = document.createElement("span");
    plain.textContent = window.voxPlainValue(binding);
    return plain.innerHTML;
  };

  // /sparql predeclares the project's prefixes, so the editor knows them too (its
  // grammar check would otherwise mark every vox: as "Prefix 'vox' is not defined").
  var sparqlMode = Yasgui.Yasqe.modes.sparql11;
  Yasgui.Yasqe.defineMode("sparql11", function (config, modeConfig) {
    var mode = sparqlMode(config, modeConfig);
    var startState = mode.startState;
    mode.startState = function () {
      var state = startState.apply(this, arguments);
      state.prefixes = Object.assign({}, prefixes);
      return state;
    };
    return mode;
  });

  // CodeMirror measures its lines when it is built: built in a hidden container it
  // draws none until something refreshes it, so the editor is shown first.
  form.hidden = true;
  holder.hidden = false;
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: "/sparql", method: "POST" },
    autofocus: false,  // a focused editor would scroll the page past its start for people
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { autocompleters: ["voxprefixes", "variables"], resizeable: true },
    yasr: { prefixes: prefixes }
  });
  var tab = yasgui.getTab();
  tab.getYasr().config.plugins.table.dynamicConfig = { compact: true };
  tab.setQuery(textarea.value);
  tab.getYasqe().refresh();
  var serverAnswer = document.getElementById("answer");  // YASR shows the answer now
  if (serverAnswer) serverAnswer.hidden = true;
  form.dataset.editor = "yasgui";

  function localise() {
    holder.querySelectorAll(".yasr a[href]").forEach(function (link) {
      var href = localHref(link.getAttribute("href"));
      if (href) { link.setAttribute("href", href); link.removeAttribute("target"); }
    });
  }
  function showDownloads(query) {
    document.querySelectorAll("a[data-download]").forEach(function (link) {
      link.href = "/sparql?" + new URLSearchParams({ query: query, format: link.dataset.download });
      link.parentElement.hidden = false;
    });
  }
  tab.getYasr().on("drawn", localise);
  yasgui.on("query", function (instance, current) {
    var query = current.getQuery();
    history.replaceState(null, "", "/?" + new URLSearchParams({ query: query }));
    showDownloads(query);
  });

  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      tab.setQuery(new URL(link.href).searchParams.get("query"));
      tab.query();
    });
  });
  if (new URLSearchParams(location.search).get("query")) tab.query();
})();
