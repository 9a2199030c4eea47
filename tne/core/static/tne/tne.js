// After a page of results replaced by htmx (pagination links), the keyboard and screen-reader
// focus would fall back to the top of the document: it goes to the new results instead. Typing
// in a filter also swaps the results, and keeps the focus where it is.
document.addEventListener("htmx:afterSwap", function (event) {
  var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!trigger || !trigger.closest || !trigger.closest(".fr-pagination")) {
    return;
  }
  var results = event.detail.target.querySelector("table") || event.detail.target;
  results.setAttribute("tabindex", "-1");
  results.focus();
});

// Search fields with a list of suggestions (ARIA 1.2 combobox, list autocomplete): htmx fills
// the listbox as the person types; arrows move in it, Enter chooses, Escape closes. Choosing
// fills the field named by data-tne-fill (the « Territoire » select, the UAI field). Without
// JavaScript, the search field filters the select when its form is submitted (« Filtrer »).
document.documentElement.classList.add("tne-js");
(function () {
  function setUp(box) {
    if (box.dataset.tneReady) {
      return;
    }
    box.dataset.tneReady = "1";
    var input = box.querySelector("[role=combobox]");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var fill = document.getElementById(box.dataset.tneFill);
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
    }
    function open(yes) {
      list.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) {
        input.removeAttribute("aria-activedescendant");
        active = -1;
      }
    }
    function highlight(index) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      var value = option.dataset.value;
      if (fill && fill.tagName === "SELECT") {
        if (!fill.querySelector('option[value="' + value + '"]')) {
          fill.add(new Option(option.dataset.label, value));
        }
      }
      if (fill) {
        fill.value = value;
        fill.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.value = option.dataset.label;
      open(false);
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden && options().length) {
          open(true);
        }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden) {
          event.preventDefault();
          var all = options();
          if (active >= 0 && all[active]) {
            choose(all[active]);
          } else if (all.length === 1) {
            choose(all[0]);
          }
        }
      } else if (event.key === "Escape") {
        open(false);
      }
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]:not([aria-disabled=true])");
      if (option) {
        event.preventDefault();
        choose(option);
      }
    });
    input.addEventListener("blur", function () {
      open(false);
    });
    list.addEventListener("htmx:afterSwap", function () {
      active = -1;
      open(input.value.trim() !== "" && list.children.length > 0);
    });
  }
  function setUpAll(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("[data-tne-combobox]"),
      setUp
    );
  }
  document.addEventListener("DOMContentLoaded", function () {
    setUpAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    setUpAll(event.detail.target);
  });
})();
