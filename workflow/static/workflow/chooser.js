// The linked-item chooser: a search box before a <select data-search-url> that asks the server for
// the items this user may see whose title contains what was typed, and lists them in the select.
// Without this script the select still lists the newest items; the server checks the choice.
(function () {
  "use strict";
  function enhance(select) {
    var chinese = (document.documentElement.lang || "").indexOf("zh") === 0;
    var search = document.createElement("input");
    search.type = "search";
    search.id = select.id + "_search";
    search.className = "form-control item-search";
    search.setAttribute("autocomplete", "off");
    search.setAttribute("aria-controls", select.id);
    search.placeholder = chinese ? "输入标题中的字词搜索" : "Type words of the title to search";
    var label = document.createElement("label");
    label.htmlFor = search.id;
    label.className = "visually-hidden";
    label.textContent = chinese ? "搜索事项" : "Search items";
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    select.parentNode.insertBefore(status, select);
    var timer = null;
    var asked = 0;
    function show(results) {
      var chosen = select.value;
      var keep = Array.prototype.filter.call(select.options, function (o) { return o.value === "" || o.value === chosen; });
      select.innerHTML = "";
      keep.forEach(function (o) { select.appendChild(o); });
      results.forEach(function (r) {
        if (String(r.id) === chosen) { return; }
        var option = document.createElement("option");
        option.value = r.id;
        option.textContent = r.label;
        select.appendChild(option);
      });
      status.textContent = (chinese ? "找到 " + results.length + " 项" : results.length + " found");
    }
    function ask() {
      var url = new URL(select.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", search.value.trim());
      var mine = ++asked;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) { show(data.results || []); } })
        .catch(function () {});
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    // Enter in the search box searches now; it does not submit the item form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); ask(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-search-url]").forEach(enhance);
  });
})();
