// Copy buttons: <button class="copy-button" data-copy-from="ID" hidden> copies the text of element ID.
// The button stays hidden without JavaScript; the text is selectable either way. Where the clipboard is
// out of reach (a page served over plain HTTP from another host), the text is selected for the reader to
// copy. The button's data-copied and data-failed attributes hold the (translated) messages.
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function report(button, message) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) {
      status.textContent = message;
    }
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (!source) {
      return;
    }
    var text = source.textContent.trim();
    var failed = function () {
      selectText(source);
      report(button, button.getAttribute("data-failed") || "");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        report(button, button.getAttribute("data-copied") || "");
      }, failed);
    } else {
      failed();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("button.copy-button[data-copy-from]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        copy(event.currentTarget);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
