// Training replay: shows the snapshot the slider points at. Python drew every panel; this
// script only moves the epoch marker, shows one boundary and recolours the weight lines.
"use strict";
(function () {
  const replay = JSON.parse(document.getElementById("replay").textContent);
  const slider = document.getElementById("epoch");
  const status = document.getElementById("status");
  const playButton = document.getElementById("play");
  const marker = document.getElementById("epoch-marker");
  const boundaries = document.querySelectorAll("#boundary .snapshot");
  const weights = document.querySelectorAll("#network .weight");
  let timer = null;

  function show(index) {
    slider.value = index;
    status.textContent = replay.statuses[index];
    marker.setAttribute("x1", replay.markers[index]);
    marker.setAttribute("x2", replay.markers[index]);
    boundaries.forEach(function (group, position) {
      group.setAttribute("display", position === index ? "inline" : "none");
    });
    replay.weights[index].forEach(function (signed, position) {
      weights[position].setAttribute("stroke", signed < 0 ? "#b2182b" : "#2166ac");
      weights[position].setAttribute("stroke-width", Math.abs(signed));
    });
  }

  function pause() {
    clearInterval(timer);
    timer = null;
    playButton.textContent = "Play";
  }

  playButton.addEventListener("click", function () {
    if (timer) { pause(); return; }
    if (Number(slider.value) >= Number(slider.max)) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(function () {
      show(Number(slider.value) + 1);
      if (Number(slider.value) >= Number(slider.max)) pause();
    }, 300);
  });
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  document.querySelector(".controls").hidden = false;
  show(Number(slider.max));
})();
