// The episode page: chapter and transcript buttons seek the player; the chapter and the cue
// under the playhead are highlighted. Times come from data-start/data-end in the page itself,
// so nothing is fetched and the page works from file:// as well as from a server.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  if (!audio) return;
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button.seek[data-start]"));
  var chapters = buttons.filter(function (b) { return b.classList.contains("chapter"); });
  var cues = buttons.filter(function (b) { return b.classList.contains("cue"); });
  var shown = null;

  function seek(seconds) {
    audio.currentTime = seconds;
    var playing = audio.play();
    if (playing && playing.catch) playing.catch(function () {}); // no sound device: seeking still works
  }

  function mark(list, t) {
    var found = null;
    list.forEach(function (b) {
      var on = t >= parseFloat(b.dataset.start) && t < parseFloat(b.dataset.end);
      b.classList.toggle("current", on);
      if (on) { b.setAttribute("aria-current", "true"); found = b; } else { b.removeAttribute("aria-current"); }
    });
    return found;
  }

  function follow() {
    var t = audio.currentTime;
    mark(chapters, t);
    var cue = mark(cues, t);
    if (cue && cue !== shown && !audio.paused) cue.scrollIntoView({ block: "nearest" });
    shown = cue;
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () { seek(parseFloat(b.dataset.start)); });
  });
  audio.addEventListener("timeupdate", follow);
  audio.addEventListener("seeked", follow);
})();
