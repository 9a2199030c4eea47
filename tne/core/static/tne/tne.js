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
