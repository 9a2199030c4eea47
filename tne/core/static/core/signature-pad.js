// The optional drawing pad of TNE's signature forms: records strokes as [x, y] points in a
// 300 x 100 box into the form's hidden `drawing` field. Shown only where a pointer exists;
// signing never needs it (the typed name signs).
(function () {
  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var field = document.getElementById(pad.dataset.target);
    if (!canvas || !field || !window.PointerEvent) return;
    // No pointer on this device (a keyboard, a screen reader, a TV): the pad stays hidden.
    if (window.matchMedia && window.matchMedia("(any-pointer: none)").matches) return;
    pad.hidden = false;
    var context = canvas.getContext("2d");
    var strokes = [];
    var current = null;
    context.lineWidth = 2;
    context.strokeStyle = "#000091";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = ((event.clientX - box.left) * 300) / box.width;
      var y = ((event.clientY - box.top) * 100) / box.height;
      return [Math.max(0, Math.min(300, Math.round(x * 10) / 10)),
              Math.max(0, Math.min(100, Math.round(y * 10) / 10))];
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) return;
      var next = point(event);
      var last = current[current.length - 1];
      current.push(next);
      context.beginPath();
      context.moveTo(last[0], last[1]);
      context.lineTo(next[0], next[1]);
      context.stroke();
    });
    function end() {
      if (!current) return;
      current = null;
      field.value = JSON.stringify(strokes);
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      strokes = [];
      field.value = "";
      context.clearRect(0, 0, canvas.width, canvas.height);
    });
  }
  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
