// Step-through backprop: reveals, one step at a time, numbers Python already computed.
// The page data (JSON in #steps) holds, per step: the status text, the node and edge to
// highlight, and the field to reveal ({node, field: "data" | "grad", text}).
"use strict";
(function () {
  const page = JSON.parse(document.getElementById("steps").textContent);
  const status = document.getElementById("status");
  const playButton = document.getElementById("play");
  const svgNodes = {}; // "value3" → <g> of that node in the drawing
  const svgEdges = {}; // "value5->operation3" → <g> of that edge
  document.querySelectorAll(".graph g.node, .graph g.edge").forEach(function (group) {
    const title = group.querySelector("title").textContent;
    (group.classList.contains("node") ? svgNodes : svgEdges)[title] = group;
  });
  // The <text> of each record field, so a field can show "?" until its step.
  const fields = {};
  Object.keys(svgNodes).forEach(function (id) {
    svgNodes[id].querySelectorAll("text").forEach(function (text) {
      const field = text.textContent.split(" ")[0];
      if (field === "data" || field === "grad") fields[id + "." + field] = text;
    });
  });
  let current = 0; // steps shown so far (0: nothing computed yet)
  let timer = null;

  function show(count) {
    current = Math.max(0, Math.min(count, page.steps.length));
    Object.keys(page.initial).forEach(function (key) { reveal(key, page.initial[key]); });
    document.querySelectorAll(".current, .current-edge").forEach(function (element) {
      element.classList.remove("current", "current-edge");
    });
    for (let index = 0; index < current; index += 1) {
      const step = page.steps[index];
      reveal(step.node + "." + step.field, step.shown);
    }
    if (current === 0) {
      status.textContent = page.start;
      return;
    }
    const step = page.steps[current - 1];
    status.textContent = "Step " + current + " of " + page.steps.length + " (" + step.pass +
      "): " + step.text;
    step.highlight.forEach(function (id) {
      if (svgNodes[id]) svgNodes[id].classList.add("current");
    });
    if (step.edge && svgEdges[step.edge]) svgEdges[step.edge].classList.add("current-edge");
  }

  function reveal(key, shown) {
    const text = fields[key];
    if (text) text.textContent = key.split(".")[1] + " " + shown;
  }

  function pause() {
    clearInterval(timer);
    timer = null;
    playButton.textContent = "Play";
  }

  function play() {
    if (current >= page.steps.length) show(0);
    playButton.textContent = "Pause";
    timer = setInterval(function () {
      show(current + 1);
      if (current >= page.steps.length) pause();
    }, 900);
  }

  document.getElementById("previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("reset").addEventListener("click", function () { pause(); show(0); });
  playButton.addEventListener("click", function () { if (timer) pause(); else play(); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT") return;
    if (event.key === "ArrowLeft") show(current - 1);
    if (event.key === "ArrowRight") show(current + 1);
  });
  // Clicking a node (or Enter on it, after Tab) opens its details: sections Python wrote,
  // hidden until asked for.
  function openDetails(id) {
    document.querySelectorAll("#details section").forEach(function (section) {
      section.hidden = section.dataset.node !== id;
    });
  }
  Object.keys(svgNodes).forEach(function (id) {
    const node = svgNodes[id];
    const section = document.querySelector('#details section[data-node="' + id + '"]');
    if (!section) return; // an operation's circle: its node's details say what it did
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", "details of " + section.querySelector("h3").textContent);
    node.addEventListener("click", function () { openDetails(id); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openDetails(id);
      }
    });
  });
  document.querySelector(".controls").hidden = false;
  show(0);
})();
