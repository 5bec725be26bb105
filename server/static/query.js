// Optional: run the form through fetch() and draw the table here, without a page load.
// Without this script the form does GET /?query=... and the server draws the same table.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var answer = document.getElementById("answer");
  if (!form || !window.fetch || form.dataset.editor) return;  // YASGUI is running
  var prefixes = JSON.parse(form.dataset.prefixes || "{}");
  var base = form.dataset.base || "";

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function shortIri(iri) {
    for (var prefix in prefixes) {
      var local = iri.slice(prefixes[prefix].length);
      if (iri.indexOf(prefixes[prefix]) === 0 && /^[\w.-]+$/.test(local)) return prefix + ":" + local;
    }
    return iri;
  }

  function termCell(term) {
    var td = element("td", undefined, term ? term.type : "empty");
    if (!term) return td;
    if (term.type === "uri") {
      var href = null;
      if (term.value.indexOf(base) === 0) href = "/?" + new URLSearchParams({ query: "DESCRIBE <" + term.value + ">" });
      else if (/^https?:\/\//.test(term.value)) href = term.value;
      var label = element(href ? "a" : "span", shortIri(term.value));
      if (href) { label.href = href; label.rel = "nofollow"; }
      label.title = term.value;
      td.appendChild(label);
    } else {
      td.appendChild(element("span", term.type === "bnode" ? "_:" + term.value : window.voxPlainValue(term)));
    }
    return td;
  }

  function showResults(data) {
    answer.replaceChildren();
    if (typeof data.boolean === "boolean") {
      answer.appendChild(element("p", data.boolean ? "yes (true)" : "no (false)", "boolean"));
      return;
    }
    var vars = data.head.vars, rows = data.results.bindings;
    var count = answer.appendChild(element("p", rows.length + (rows.length === 1 ? " row" : " rows") + ". Values are shown plainly: ", "count"));
    var rdf = count.appendChild(element("a", "show them as RDF terms"));
    rdf.href = "/?" + new URLSearchParams({ query: textarea.value, view: "rdf" });
    count.appendChild(document.createTextNode(" (datatypes, language tags)."));
    var table = element("table"), head = element("tr"), body = element("tbody");
    vars.forEach(function (name) { head.appendChild(element("th", name)); });
    rows.forEach(function (row) {
      var tr = element("tr");
      vars.forEach(function (name) { tr.appendChild(termCell(row[name])); });
      body.appendChild(tr);
    });
    table.appendChild(element("thead")).appendChild(head);
    table.appendChild(body);
    answer.appendChild(element("div", undefined, "table-wrap")).appendChild(table);
  }

  function run() {
    var params = new URLSearchParams({ query: textarea.value });
    history.replaceState(null, "", "/?" + params);
    document.querySelectorAll("a[data-download]").forEach(function (link) {
      link.href = "/sparql?" + new URLSearchParams({ query: textarea.value, format: link.dataset.download });
      link.parentElement.hidden = false;
    });
    answer.replaceChildren(element("p", "Running…", "count"));
    fetch("/sparql", { method: "POST", body: params, headers: { Accept: "application/sparql-results+json" } })
      .then(function (response) {
        if (response.status === 406) { location.href = "/?" + params; return null; }  // CONSTRUCT, DESCRIBE: the server draws them
        if (!response.ok) return response.text().then(function (text) { throw new Error(text); });
        return response.json();
      })
      .then(function (data) { if (data) showResults(data); })
      .catch(function (error) { answer.replaceChildren(element("p", error.message, "error")); });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      textarea.value = new URL(link.href).searchParams.get("query");
      run();
    });
  });
})();
