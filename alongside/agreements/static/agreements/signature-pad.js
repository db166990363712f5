// The drawn signature on the in-person signing page. Pointer events draw on the canvas;
// each finished stroke writes the drawing as a PNG data URL into the hidden field, and
// "Clear" empties both. Without script the pad stays hidden and the typed name signs.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-signature-pad]").forEach(function (pad) {
    var field = document.getElementById(pad.getAttribute("data-signature-pad"));
    var canvas = pad.querySelector("canvas");
    var clear = pad.querySelector("[data-signature-clear]");
    if (!field || !canvas || !canvas.getContext) { return; }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    pad.hidden = false;
    field.value = "";

    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var at = point(event);
      context.beginPath();
      context.moveTo(at.x, at.y);
      context.lineTo(at.x + 0.1, at.y + 0.1);
      context.stroke();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var at = point(event);
      context.lineTo(at.x, at.y);
      context.stroke();
      drawn = true;
    });
    function finish(event) {
      if (!drawing) { return; }
      drawing = false;
      drawn = true;
      if (canvas.hasPointerCapture(event.pointerId)) {
        canvas.releasePointerCapture(event.pointerId);
      }
      field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
    });
    // A drawing that never finished a stroke is not sent half-made.
    field.form.addEventListener("submit", function () {
      if (!drawn) { field.value = ""; }
    });
  });
});
