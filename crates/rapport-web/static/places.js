// Suggestions for the "Where are you?" field as a person types (a WAI-ARIA combobox). The form
// works without this script: the server resolves the typed name, or offers the namesakes.
(function () {
  "use strict";
  function enhance(input) {
    var form = input.form;
    var hidden = form.querySelector("input[type=hidden][name=place_id]");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var places = [];
    var active = -1;
    list.id = input.id + "-suggestions";
    list.className = "place-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Places");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(i) {
      var p = places[i];
      if (!p) { return; }
      input.value = p.label;
      var choices = document.getElementById("place-choices");
      if (choices) { choices.parentNode.removeChild(choices); }
      if (!hidden) {
        hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "place_id";
        input.parentNode.appendChild(hidden);
      }
      hidden.value = String(p.id);
      status.textContent = p.label + " chosen";
      close();
    }
    function mark(i) {
      var items = list.children;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
      if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); }
    }
    function show(found) {
      places = found;
      list.textContent = "";
      found.forEach(function (p, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = p.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      status.textContent = found.length ? found.length + " places found; use the arrow keys to choose" : "";
      active = -1;
    }
    function lookUp() {
      var q = input.value.trim();
      if (q.length < 2) { show([]); return; }
      fetch("/api/v1/places?limit=8&q=" + encodeURIComponent(q), { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (body) { if (input.value.trim() === q) { show(body.places || []); } })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () {
      if (hidden) { hidden.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(active + 1, places.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }
  document.querySelectorAll("input[data-place-search]").forEach(enhance);
})();
