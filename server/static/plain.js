// A literal of a SPARQL JSON answer as a reader would write it: its value without
// quotes, language tag or datatype, and an xsd:duration in words ("P30D": "30 days").
// The query page's server-drawn table does the same (server/page.py, plain_text).
(function () {
  "use strict";
  var DURATION = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
  var UNITS = ["year", "month", "week", "day", "hour", "minute", "second"];

  function duration(text) {
    var parts = DURATION.exec(text);
    if (!parts || text === "P" || /T$/.test(text)) return text;
    var words = [];
    UNITS.forEach(function (unit, index) {
      var amount = parts[index + 2];
      if (amount !== undefined) words.push(amount + " " + unit + (Number(amount) === 1 ? "" : "s"));
    });
    return words.length ? (parts[1] ? "minus " : "") + words.join(" ") : text;
  }

  window.voxPlainValue = function (term) {
    if (/#(duration|dayTimeDuration|yearMonthDuration)$/.test(term.datatype || "")) return duration(term.value);
    if (/#dateTime$/.test(term.datatype || "")) return term.value.replace("T", " ");
    return term.value;
  };
})();
