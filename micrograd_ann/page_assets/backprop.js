// Step-through backprop, a laboratory: step through numbers the library computed, change an
// input and step through the new ones. The page data (JSON in #steps) holds every value
// (name, full-precision numbers, where the program computes it), every step (its text as parts
// whose numbers are filled in here) and, unless an operation has no JavaScript rules, the
// program the library generated for this graph (compile.py's JavaScript dialect). This script
// computes nothing itself: it runs that program, then shows, hides, highlights and zooms.
"use strict";
(function () {
  const page = JSON.parse(document.getElementById("steps").textContent);
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const playButton = document.getElementById("play");
  const graph = document.querySelector(".graph");
  const svg = graph.querySelector("svg");
  const ids = Object.keys(page.values);
  const program = page.program
    ? (new Function(page.program + "\nreturn micrograd_program;"))() // eslint-disable-line no-new-func
    : null;
  const svgNodes = {}; // "value3" → <g> of that node in the drawing
  const svgEdges = {}; // "value5->operation3" → <g> of that edge
  svg.querySelectorAll("g.node, g.edge").forEach(function (group) {
    const title = group.querySelector("title").textContent;
    (group.classList.contains("node") ? svgNodes : svgEdges)[title] = group;
  });
  // The <text> of each record field (the last one starting "data " or "grad ": the first is
  // the value's name, which may start so too).
  const fields = {};
  ids.forEach(function (id) {
    if (!svgNodes[id]) return;
    svgNodes[id].querySelectorAll("text").forEach(function (text, index) {
      const field = text.textContent.split(" ")[0];
      if (index > 0 && (field === "data" || field === "grad")) fields[id + "." + field] = text;
    });
  });
  // The neuron view (a model's graph of more than 60 values): one box per neuron, titled with
  // its output's id, so it shows that value's data and grad.
  const neuronSvg = graph.querySelector("svg.neurons");
  const neuronSteps = page.neurons ? page.neurons.steps : [];
  const neuronNodes = {};
  if (neuronSvg) {
    neuronSvg.querySelectorAll("g.node").forEach(function (group) {
      const id = group.querySelector("title").textContent;
      neuronNodes[id] = group;
      group.querySelectorAll("text").forEach(function (text, index) {
        const field = text.textContent.split(" ")[0];
        if (index > 0 && (field === "data" || field === "grad")) {
          fields[id + ".neuron." + field] = text;
        }
      });
    });
  }
  const neuronToggle = document.getElementById("neuron-view");
  function inNeuronView() { return Boolean(neuronSvg && neuronToggle.checked); }
  const forwardCount = page.steps.filter(function (step) { return step.pass === "forward"; }).length;
  const tableRows = Array.from(document.querySelectorAll("#chain-table tbody tr"));
  const stepItems = Array.from(document.querySelectorAll("details ol li"));

  // ---------------------------------------------------------------------------------------
  // Numbers: parsed from the page's exact text, shown with four decimals as Python shows them
  // ---------------------------------------------------------------------------------------
  function number(text) {
    if (text === "nan") return NaN;
    if (text === "inf") return Infinity;
    if (text === "-inf") return -Infinity;
    return Number(text);
  }
  function exact(x) { // String(x), the shortest round trip (-0 → "0"); nan, inf, -inf as Python
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    return String(x);
  }
  function fmt(x) { // f"{x:.4f}", ties to even as Python rounds them, "-0.0000" → "0.0000"
    if (!Number.isFinite(x)) return exact(x);
    const size = Math.abs(x);
    let text;
    if (size >= 1e21) {
      text = BigInt(size).toString() + ".0000";
    } else {
      text = size.toFixed(4);
      const scaled = size * 10000;
      if (scaled - Math.floor(scaled) === 0.5 && Math.floor(scaled) % 2 === 0) {
        text = (Math.floor(scaled) / 10000).toFixed(4);
      }
    }
    if (/^0\.0000$/.test(text)) return "0.0000";
    return (x < 0 ? "-" : "") + text;
  }

  // ---------------------------------------------------------------------------------------
  // The numbers of the graph: from Python first, from the generated program after an edit
  // ---------------------------------------------------------------------------------------
  const original = {};
  ids.forEach(function (id) { if (page.values[id].input >= 0) original[id] = number(page.values[id].data); });
  let inputs = Object.assign({}, original);
  let state = null;
  let failure = "";

  function pythonState() {
    const data = {};
    const grad = {};
    ids.forEach(function (id) {
      data[id] = number(page.values[id].data);
      grad[id] = number(page.values[id].grad);
    });
    return {data: data, grad: grad, edges: page.edges.map(function (edge) { return edge.map(number); })};
  }

  function recompute() {
    failure = "";
    if (!program) return;
    const leaves = ids.filter(function (id) { return page.values[id].input >= 0; });
    const argumentsInOrder = [];
    leaves.forEach(function (id) { argumentsInOrder[page.values[id].input] = inputs[id]; });
    let result;
    try {
      result = program.run(argumentsInOrder);
    } catch (error) {
      failure = error.name + ": " + error.message;
      return;
    }
    const data = {};
    const grad = {};
    ids.forEach(function (id) {
      const value = page.values[id];
      if (value.order >= 0) {
        data[id] = result.data[value.order];
        grad[id] = result.nodeGrads[value.order];
      } else if (value.input >= 0) {
        data[id] = inputs[id];
        grad[id] = result.grads[value.input];
      } else { // a constant: the program holds it as a literal
        data[id] = number(value.data);
        grad[id] = number(value.grad);
      }
    });
    const edges = page.edges.map(function (_, index) { return result.edges[index] || null; });
    state = {data: data, grad: grad, edges: edges};
  }

  // Each backward step's running sum: the recorded one, or for an edge backward() skipped
  // (its node's gradient is 0, so nothing passes on) the child's sum so far.
  function runningSums() {
    const sums = {};
    return page.steps.filter(function (step) { return step.index !== undefined; }).map(function (step) {
      const edge = state.edges[step.index];
      sums[step.node] = edge ? edge[3] : (sums[step.node] || 0);
      return sums[step.node];
    });
  }

  // ---------------------------------------------------------------------------------------
  // Showing step `current`: nothing that is not computed yet
  // ---------------------------------------------------------------------------------------
  let current = 0; // steps shown so far (0: nothing computed yet)
  let timer = null;
  let openId = null;

  function dataKnown(id) {
    const value = page.values[id];
    return value.order < 0 || value.order < current;
  }
  // The gradient each value shows at the current step: its running sum after the last
  // step into it, or null for "?" (a constant's, and at the end every one, in full).
  function gradsShown(sums) {
    const shown = {};
    ids.forEach(function (id) {
      const trainable = page.values[id].trainable;
      shown[id] = !trainable || current === page.steps.length ? state.grad[id] : null;
    });
    if (current === page.steps.length) return shown;
    for (let index = forwardCount; index < current; index += 1) {
      const step = page.steps[index];
      shown[step.node] = step.index === undefined ? number(page.seed) : sums[step.index];
    }
    return shown;
  }
  function gradShown(id, sums) { return gradsShown(sums)[id]; }
  function filled(parts) {
    return parts.map(function (part) {
      return part[0] === "t" ? part[1] : fmt(state.data[part[1]]);
    }).join("");
  }
  function stepText(step, sums) {
    if (step.pass === "forward") return filled(step.parts);
    if (step.index === undefined) return step.text; // the seed
    const child = page.values[step.node].name;
    const edge = state.edges[step.index];
    const sum = sums[step.index];
    if (!edge) {
      return "nothing passes on: ∂" + page.values[page.root].name + "/∂" +
        page.values[step.parent].name + " is 0, so backward() skips this edge (" + child +
        ".grad stays " + fmt(sum) + ")";
    }
    const local = filled(step.local);
    const withNumber = / = [−-]?1$/.test(local) ? local : local + " = " + fmt(edge[1]);
    return withNumber + ". Chain rule: " + child + ".grad += " + fmt(edge[0]) + " × " +
      fmt(edge[1]) + " = " + fmt(edge[2]) + " (" + child + ".grad is now " + fmt(sum) + ")";
  }
  function expectedOf(step, sums) { // the number a step produces, for predictions
    if (step.pass === "forward") return state.data[step.node];
    if (step.index === undefined) return number(page.seed);
    return sums[step.index];
  }

  function show(count) {
    current = Math.max(0, Math.min(count, page.steps.length));
    render();
    if (inNeuronView()) {
      const grouped = neuronSteps.find(function (each) { return each.end === current; });
      if (grouped) bringIntoView(grouped.node);
      return;
    }
    const step = page.steps[current - 1];
    if (step) bringIntoView(step.parent || step.node);
  }
  // What a step lights up: the value computed and its operation's circle (`valueN` is drawn
  // with `operationN`); for a backward step also the child and the edge into the operation.
  function highlights(step) {
    if (step.pass === "forward") return [step.node, step.node.replace("value", "operation")];
    if (step.parent === undefined) return [step.node];
    return [step.parent, step.parent.replace("value", "operation"), step.node];
  }

  // The numbers of every step, in the table and the list of steps, after the state changed
  // (Python wrote them for the first state); which of them show is render's business.
  let written = null;
  function writeNumbers(sums) {
    if (written === state) return;
    written = state;
    ids.forEach(function (id) {
      const node = svgNodes[id];
      if (!node) return;
      node.setAttribute("data-data", failure ? "" : exact(state.data[id]));
      node.setAttribute("data-grad", failure ? "" : exact(state.grad[id]));
    });
    page.steps.forEach(function (step, index) {
      if (step.index !== undefined && tableRows[step.index]) {
        const edge = state.edges[step.index];
        const cells = tableRows[step.index].querySelectorAll("td");
        [2, 3, 4].forEach(function (column, position) {
          if (!cells[column]) return;
          cells[column].textContent = edge ? fmt(edge[position]) : (position === 1 ? "—" : fmt(0));
        });
      }
      if (stepItems[index]) stepItems[index].textContent = stepText(step, sums);
    });
  }

  function render() {
    errorBox.hidden = !failure;
    errorBox.textContent = failure ? "This input cannot be computed: " + failure : "";
    const sums = runningSums();
    if (failure) {
      written = null;
      ids.forEach(function (id) {
        if (svgNodes[id]) svgNodes[id].setAttribute("data-data", "");
        if (svgNodes[id]) svgNodes[id].setAttribute("data-grad", "");
      });
    } else {
      writeNumbers(sums);
    }
    const grads = gradsShown(sums);
    ids.forEach(function (id) {
      const data = dataKnown(id) ? state.data[id] : null;
      const grad = grads[id];
      setField(id, "data", data === null || failure ? "?" : fmt(data));
      setField(id, "grad", !page.values[id].trainable ? page.noGradient
        : grad === null || grad === undefined || failure ? "?" : fmt(grad));
    });
    document.querySelectorAll(".current, .current-edge").forEach(function (element) {
      element.classList.remove("current", "current-edge");
    });
    tableRows.forEach(function (row) { row.removeAttribute("aria-current"); });
    page.steps.forEach(function (step, index) {
      if (step.index !== undefined && tableRows[step.index]) tableRows[step.index].hidden = index >= current;
      if (stepItems[index]) stepItems[index].hidden = index >= current;
    });
    renderDetails(sums);
    if (failure) {
      status.textContent = "Cannot compute these inputs: " + failure;
      return;
    }
    if (current === 0) {
      status.textContent = (inNeuronView()
        ? "Step 0 of " + neuronSteps.length + page.start.slice(page.start.indexOf(":"))
        : page.start) + score();
      return;
    }
    const step = page.steps[current - 1];
    status.textContent = "Step " + current + " of " + page.steps.length + " (" + step.pass +
      "): " + stepText(step, sums) + score();
    highlights(step).forEach(function (id) {
      if (svgNodes[id]) svgNodes[id].classList.add("current");
    });
    const edge = step.parent && svgEdges[step.node + "->" + step.parent.replace("value", "operation")];
    if (edge) edge.classList.add("current-edge");
    if (step.index !== undefined && tableRows[step.index]) {
      tableRows[step.index].setAttribute("aria-current", "step");
    }
    if (inNeuronView()) renderNeuronStatus(sums);
  }

  // In the neuron view a step is a run of scalar steps (a whole neuron at once): its text
  function neuronText(grouped, sums) {
    if (!grouped.parts) return stepText(page.steps[grouped.end - 1], sums);
    return grouped.parts.map(function (part) {
      if (part[0] === "t") return part[1];
      if (part[0] === "d") return fmt(state.data[part[1]]);
      if (part[0] === "g") return fmt(state.grad[part[1]]);
      const edge = state.edges[part[1]];
      return edge ? fmt(edge[2]) : "0 (skipped: nothing passes on)";
    }).join("");
  }
  function renderNeuronStatus(sums) {
    const index = neuronSteps.findIndex(function (each) { return each.end === current; });
    const grouped = neuronSteps[index];
    if (!grouped) return;
    if (neuronNodes[grouped.node]) neuronNodes[grouped.node].classList.add("current");
    status.textContent = "Step " + (index + 1) + " of " + neuronSteps.length + " (" +
      grouped.pass + "): " + neuronText(grouped, sums) + score();
  }

  function setField(id, field, shown) {
    [fields[id + "." + field], fields[id + ".neuron." + field]].forEach(function (text) {
      if (text) text.textContent = field + " " + shown;
    });
  }

  // ---------------------------------------------------------------------------------------
  // Details of a node, with the input of a leaf
  // ---------------------------------------------------------------------------------------
  function cell(row, text, header) {
    const element = document.createElement(header ? "th" : "td");
    element.textContent = text;
    row.appendChild(element);
  }
  // One section, made when a node is opened: its name, an input if it is a leaf, its numbers.
  function renderDetails(sums) {
    const details = document.getElementById("details");
    let section = details.querySelector("section");
    if (!openId) return;
    if (!section || section.dataset.node !== openId) {
      section = document.createElement("section");
      section.dataset.node = openId;
      const heading = document.createElement("h3");
      heading.textContent = page.values[openId].name;
      section.appendChild(heading);
      details.replaceChildren(section);
    }
    const value = page.values[openId];
    const rootName = page.values[page.root].name;
    const data = dataKnown(openId) && !failure ? fmt(state.data[openId]) : "?";
    const shownGrad = gradShown(openId, sums);
    const grad = !value.trainable ? page.noGradient
      : shownGrad === null || failure ? "?" : fmt(shownGrad);
    const terms = [];
    page.steps.forEach(function (step, index) {
      if (index >= current || step.node !== openId || step.index === undefined) return;
      const edge = state.edges[step.index];
      terms.push(edge ? fmt(edge[0]) + " × " + fmt(edge[1]) + " (from " + page.values[step.parent].name + ")"
        : "0 (from " + page.values[step.parent].name + ", skipped)");
    });
    let sum;
    if (openId === page.root) sum = current > forwardCount ? page.seed + " (the seed)" : "?";
    else if (!value.trainable) sum = "none: a constant, no gradient flows into it";
    else sum = terms.length ? terms.join(" + ") + " = " + grad : "?";
    const table = document.createElement("table");
    const operation = page.operations[value.op] || ["none: a leaf", "—"];
    [["operation", operation[0]], ["formula", operation[1]],
      ["data", data], ["grad", grad], ["∂" + rootName + "/∂" + value.name, sum]].forEach(function (pair) {
      const row = document.createElement("tr");
      cell(row, pair[0], true);
      cell(row, pair[1], false);
      table.appendChild(row);
    });
    const old = section.querySelector("table");
    if (old) section.replaceChild(table, old); else section.appendChild(table);
    let editor = section.querySelector(".editor");
    if (value.input >= 0 && program && !editor) {
      editor = document.createElement("p");
      editor.className = "editor";
      editor.appendChild(numberInput(openId));
      section.insertBefore(editor, section.querySelector("table"));
    }
    if (editor) syncInputs();
  }
  function openDetails(id) {
    openId = id;
    renderDetails(state ? runningSums() : []);
  }

  // ---------------------------------------------------------------------------------------
  // Editing inputs: both passes recompute with the generated program
  // ---------------------------------------------------------------------------------------
  function numberInput(id) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "number";
    input.step = "any";
    input.dataset.leaf = id;
    input.setAttribute("aria-label", "Value of " + page.values[id].name);
    label.appendChild(document.createTextNode(page.values[id].name + " "));
    label.appendChild(input);
    input.addEventListener("input", function () {
      if (input.value === "" || !Number.isFinite(input.valueAsNumber)) return;
      inputs[id] = input.valueAsNumber;
      recompute();
      syncInputs(input);
      render();
    });
    return label;
  }
  function syncInputs(except) {
    document.querySelectorAll("input[data-leaf]").forEach(function (input) {
      if (input !== except) input.value = String(inputs[input.dataset.leaf]);
    });
  }
  const panel = document.getElementById("inputs");
  if (page.readOnly) {
    panel.textContent = page.readOnly;
    panel.hidden = false;
  } else if (program && page.panel) {
    const heading = document.createElement("h2");
    heading.textContent = "Inputs";
    panel.appendChild(heading);
    ids.filter(function (id) { return page.values[id].input >= 0; }).sort(function (a, b) {
      return page.values[a].input - page.values[b].input; // the program's argument order
    }).forEach(function (id) {
      const row = document.createElement("p");
      row.appendChild(numberInput(id));
      panel.appendChild(row);
    });
    panel.hidden = false;
    syncInputs();
  }

  // ---------------------------------------------------------------------------------------
  // Predict each step: the learner's number first, then the step
  // ---------------------------------------------------------------------------------------
  const predict = document.getElementById("predict");
  const prediction = document.getElementById("prediction");
  const guess = document.getElementById("guess");
  const verdict = document.getElementById("verdict");
  let right = 0;
  let asked = 0;
  function score() {
    return predict.checked && asked ? " (" + right + " of " + asked + " right)" : "";
  }
  function next() {
    if (current >= page.steps.length) return;
    if (inNeuronView()) { // one neuron at a time
      const following = neuronSteps.find(function (each) { return each.end > current; });
      show(following ? following.end : page.steps.length);
      return;
    }
    if (predict.checked && !failure) {
      prediction.hidden = false;
      verdict.textContent = "";
      const step = page.steps[current];
      status.textContent = "Step " + (current + 1) + " of " + page.steps.length + ": what will " +
        (step.pass === "forward" ? page.values[step.node].name + " be"
          : page.values[step.node].name + ".grad be after this step") + "?" + score();
      guess.value = "";
      guess.focus();
      return;
    }
    show(current + 1);
  }
  function settle(kind) {
    const sums = runningSums();
    const step = page.steps[current];
    const expected = expectedOf(step, sums);
    const given = number(guess.value.trim());
    asked += 1;
    let message;
    if (kind === "check" && (Math.abs(given - expected) <= 0.00005 ||
        (Number.isNaN(given) && Number.isNaN(expected)) || given === expected)) {
      right += 1;
      message = "Right: " + fmt(expected) + ".";
    } else {
      message = (kind === "check" ? "Not quite: the step gives " : "The step gives ") + fmt(expected);
      if (step.index !== undefined && state.edges[step.index]) {
        const edge = state.edges[step.index];
        const before = expected - edge[2];
        message += ": upstream × local = " + fmt(edge[0]) + " × " + fmt(edge[1]) + " = " +
          fmt(edge[2]) + (before !== 0 ? ", added to the running sum " + fmt(before) + " = " + fmt(expected) : "");
      } else if (step.pass === "forward") {
        message += ": " + filled(step.parts);
      }
      message += ".";
    }
    prediction.hidden = true;
    show(current + 1);
    verdict.textContent = message;
    status.textContent += " " + message;
  }
  document.getElementById("check").addEventListener("click", function () { settle("check"); });
  document.getElementById("reveal").addEventListener("click", function () { settle("reveal"); });
  guess.addEventListener("keydown", function (event) {
    if (event.key === "Enter") settle("check");
  });
  predict.addEventListener("change", function () {
    prediction.hidden = true;
    render();
  });

  // ---------------------------------------------------------------------------------------
  // Controls
  // ---------------------------------------------------------------------------------------
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
  function previous() {
    if (!inNeuronView()) {
      show(current - 1);
      return;
    }
    const before = neuronSteps.filter(function (each) { return each.end < current; }).pop();
    show(before ? before.end : 0);
  }
  document.getElementById("previous").addEventListener("click", previous);
  document.getElementById("next").addEventListener("click", next);
  document.getElementById("reset").addEventListener("click", function () {
    pause();
    inputs = Object.assign({}, original);
    state = pythonState();
    failure = "";
    right = 0;
    asked = 0;
    prediction.hidden = true;
    syncInputs();
    show(0);
  });
  playButton.addEventListener("click", function () { if (timer) pause(); else play(); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || event.target.tagName === "TEXTAREA") return;
    if (event.key === "ArrowLeft") previous();
    if (event.key === "ArrowRight") next();
    if (event.key === "+" || event.key === "=") zoomBy(1.25);
    if (event.key === "-") zoomBy(0.8);
    if (event.key === "0") fit();
  });
  // Clicking a node (or Enter on it, after Tab) opens its details; hovering or focusing it
  // shows its name and its operation's formula.
  const tooltip = document.getElementById("tooltip");
  function showTip(id) {
    const value = page.values[id];
    const operation = page.operations[value.op];
    tooltip.textContent = value.name + (operation ? ": " + operation[1] : " (a leaf)");
    const box = svgNodes[id].getBoundingClientRect();
    tooltip.style.left = Math.max(0, box.left + window.scrollX) + "px";
    tooltip.style.top = box.bottom + window.scrollY + 4 + "px";
    tooltip.hidden = false;
  }
  function hideTip() { tooltip.hidden = true; }
  ids.forEach(function (id) {
    const node = svgNodes[id];
    if (!node) return;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", "details of " + page.values[id].name);
    node.addEventListener("click", function () { if (!dragged) openDetails(id); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openDetails(id);
      }
    });
    node.addEventListener("mouseenter", function () { showTip(id); });
    node.addEventListener("focus", function () { showTip(id); });
    node.addEventListener("mouseleave", hideTip);
    node.addEventListener("blur", hideTip);
  });

  // ---------------------------------------------------------------------------------------
  // Zoom and pan: the drawing scaled and moved inside its frame
  // ---------------------------------------------------------------------------------------
  let drawing = svg; // the drawing shown: the scalar graph, or the neuron view
  let width = 0;
  let height = 0;
  let view = {scale: 1, x: 0, y: 0};
  const views = new Map(); // each drawing keeps its own zoom
  graph.classList.add("zoomable");
  function useDrawing(element) {
    drawing = element;
    [svg, neuronSvg].forEach(function (each) {
      if (each) each.style.display = each === element ? "" : "none";
    });
    const box = element.viewBox.baseVal;
    width = box && box.width ? box.width : element.getBBox().width;
    height = box && box.height ? box.height : element.getBBox().height;
    element.removeAttribute("width");
    element.removeAttribute("height");
    element.style.width = width + "px";
    element.style.height = height + "px";
    const known = views.has(element);
    if (!known) views.set(element, {scale: 1, x: 0, y: 0});
    view = views.get(element);
    if (known) apply(); else fit();
  }
  function apply() {
    drawing.style.transform = "translate(" + view.x + "px, " + view.y + "px) scale(" +
      view.scale + ")";
  }
  function fit() {
    if (!graph.style.height) { // a frame as tall as the drawing at full width, within the window
      const tall = height * graph.clientWidth / width;
      graph.style.height = Math.round(Math.max(160, Math.min(tall, window.innerHeight * 0.7))) + "px";
    }
    const frame = graph.getBoundingClientRect();
    view.scale = Math.min(frame.width / width, frame.height / height, 2);
    view.x = (frame.width - width * view.scale) / 2;
    view.y = (frame.height - height * view.scale) / 2;
    apply();
  }
  function zoomBy(factor, atX, atY) {
    const frame = graph.getBoundingClientRect();
    const x = atX === undefined ? frame.width / 2 : atX;
    const y = atY === undefined ? frame.height / 2 : atY;
    const scale = Math.min(8, Math.max(0.05, view.scale * factor));
    view.x = x - (x - view.x) * scale / view.scale;
    view.y = y - (y - view.y) * scale / view.scale;
    view.scale = scale;
    apply();
  }
  function bringIntoView(id, always) {
    const node = (drawing === neuronSvg ? neuronNodes : svgNodes)[id];
    if (!node) return;
    const frame = graph.getBoundingClientRect();
    const box = node.getBoundingClientRect();
    if (!always && box.left >= frame.left && box.right <= frame.right && box.top >= frame.top &&
        box.bottom <= frame.bottom) return;
    view.x += frame.left + frame.width / 2 - (box.left + box.width / 2);
    view.y += frame.top + frame.height / 2 - (box.top + box.height / 2);
    apply();
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  document.getElementById("fit").addEventListener("click", fit);
  graph.addEventListener("wheel", function (event) {
    event.preventDefault();
    const frame = graph.getBoundingClientRect();
    zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - frame.left, event.clientY - frame.top);
  }, {passive: false});
  const pointers = new Map();
  let dragged = false;
  let pinch = 0;
  graph.addEventListener("pointerdown", function (event) {
    pointers.set(event.pointerId, {x: event.clientX, y: event.clientY});
    dragged = false;
    if (pointers.size === 2) {
      const [a, b] = Array.from(pointers.values());
      pinch = Math.hypot(a.x - b.x, a.y - b.y);
    }
  });
  graph.addEventListener("pointermove", function (event) {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    if (pointers.size === 1) {
      const dx = event.clientX - last.x;
      const dy = event.clientY - last.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) dragged = true;
      if (dragged) {
        if (!graph.hasPointerCapture(event.pointerId)) graph.setPointerCapture(event.pointerId);
        view.x += dx;
        view.y += dy;
        apply();
      }
    }
    pointers.set(event.pointerId, {x: event.clientX, y: event.clientY});
    if (pointers.size === 2) {
      const [a, b] = Array.from(pointers.values());
      const distance = Math.hypot(a.x - b.x, a.y - b.y);
      const frame = graph.getBoundingClientRect();
      if (pinch) zoomBy(distance / pinch, (a.x + b.x) / 2 - frame.left, (a.y + b.y) / 2 - frame.top);
      pinch = distance;
      dragged = true;
    }
  });
  function release(event) {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = 0;
  }
  graph.addEventListener("pointerup", release);
  graph.addEventListener("pointercancel", release);

  document.querySelector(".controls").hidden = false;
  state = pythonState();
  written = state; // Python wrote the first state's numbers into the table and the list
  if (neuronSvg && neuronSteps.length) {
    neuronToggle.parentElement.hidden = false;
    neuronToggle.checked = true; // on by default: the graph is big
    neuronToggle.addEventListener("change", function () {
      if (inNeuronView()) { // back to the neuron step that holds the current one
        const holding = neuronSteps.filter(function (each) { return each.end <= current; }).pop();
        current = holding ? holding.end : 0;
      }
      useDrawing(inNeuronView() ? neuronSvg : svg);
      show(current);
    });
    // A neuron's box opens its scalar graph, centred on its output, with its details.
    Object.keys(neuronNodes).forEach(function (id) {
      const node = neuronNodes[id];
      if (!node.dataset.name) return;
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      node.setAttribute("aria-label", "scalar graph of " + node.dataset.name);
      function expand() {
        neuronToggle.checked = false;
        useDrawing(svg);
        view.scale = 1;
        apply();
        bringIntoView(id, true);
        openDetails(id);
        render();
      }
      node.addEventListener("click", function () { if (!dragged) expand(); });
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          expand();
        }
      });
    });
  }
  useDrawing(inNeuronView() ? neuronSvg : svg);
  show(0);
})();
