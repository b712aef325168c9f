// A small rich-text editor for the item body: a contenteditable area with a few formatting buttons,
// kept in sync with the textarea that is submitted (the server sanitises whatever arrives).
(function () {
  "use strict";
  function enhance(textarea) {
    var toolbar = document.createElement("div");
    toolbar.className = "rte-toolbar";
    var area = document.createElement("div");
    area.className = "rte";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.innerHTML = textarea.value;
    [["bold", "B"], ["italic", "I"], ["insertUnorderedList", "•"], ["insertOrderedList", "1."]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[1];
      button.dataset.command = b[0];
      button.addEventListener("click", function () { area.focus(); document.execCommand(b[0]); sync(); });
      toolbar.appendChild(button);
    });
    function sync() { textarea.value = area.innerHTML; }
    area.addEventListener("input", sync);
    textarea.form.addEventListener("submit", sync);
    textarea.style.display = "none";
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.rich-text").forEach(enhance);
  });
})();
