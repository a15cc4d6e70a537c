// Playground: the controls and the pictures. The numbers come from MicrogradTrainer
// (trainer.js), which runs the programs, data and orders Python generated (the kit); this
// script only asks it to step, and draws what it has: the curves, the class probabilities over
// the plane, the network's weights and each hidden neuron's output over the plane.
"use strict";
(function () {
  const page = JSON.parse(document.getElementById("playground-data").textContent);
  const kit = page.kit;
  const colours = page.colours;
  const element = (id) => document.getElementById(id);
  const controls = {
    dataset: element("dataset"),
    network: element("network"),
    activation: element("activation"),
    loss: element("loss"),
    lr: element("lr"),
    momentum: element("momentum"),
    batchSize: element("batch-size"),
  };
  const playButton = element("play");
  const speed = element("speed");
  const slider = element("epoch");
  const showGradients = element("show-gradients");
  const status = element("status");
  const trained = element("trained");
  const problem = element("problem");
  const curves = element("curves");
  const boundary = element("probabilities");
  const points = element("points");
  const network = element("network-drawing");
  const caption = element("network-caption");
  const captionShape = caption.appendChild(document.createElement("span"));
  const captionLegend = caption.appendChild(document.createElement("span"));
  const details = element("details");

  const EPOCHS_PER_SECOND = [1, 2, 4, 8, 15, 30, 60, 120, 250, 1000];  // the Speed's steps
  const FRAME_BUDGET_MS = 40;  // training per animation frame at most, then one drawing
  const BOUNDARY_CELLS = 32;   // the class probabilities are computed on 32 × 32 points
  const NEURON_CELLS = 12;     // each hidden neuron's picture: 12 × 12 points
  const SVG = "http://www.w3.org/2000/svg";

  let trainer = null;  // the MicrogradTrainer of the current settings
  let run = null;      // what the slider moves through (a recorded run, or the live one)
  let shown = 0;       // the index of the snapshot on show
  let playing = null;  // {start, done} while playing
  let drawPending = false;
  let drawnNetwork = null;  // the model key the network drawing was built for
  let focused = null;       // the weight or neuron whose numbers the details show

  // ---------------------------------------------------------------------------------------
  // Numbers and words
  // ---------------------------------------------------------------------------------------

  function fixed(x, digits) {
    return Number.isFinite(x) ? x.toFixed(digits) : String(x);
  }

  function percent(accuracy) {
    return (accuracy * 100).toFixed(1) + "%";
  }

  function short(x) {
    if (x === null || x === undefined) return "—";
    return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2);
  }

  function colourOf(index) {
    return colours.classes[index % colours.classes.length];
  }

  function rgb(hex) {
    return [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
  }

  const classRgb = colours.classes.map(rgb);
  const positiveRgb = rgb(colours.positive);
  const negativeRgb = rgb(colours.negative);

  // ---------------------------------------------------------------------------------------
  // The settings chosen in the controls, and the trainer they make
  // ---------------------------------------------------------------------------------------

  function fail(message) {
    problem.textContent = message;
    problem.hidden = false;
  }

  function readSettings() {
    const lr = Number(controls.lr.value);
    const momentum = Number(controls.momentum.value);
    const batchText = controls.batchSize.value.trim();
    const batchSize = batchText === "" ? null : Number(batchText);
    const samples = kit.datasets[controls.dataset.value].samples;
    if (controls.lr.value.trim() === "" || !Number.isFinite(lr) || lr <= 0) {
      throw new Error("Learning rate " + controls.lr.value + " is not a number greater " +
        "than 0: try 0.1");
    }
    if (controls.momentum.value.trim() === "" || !Number.isFinite(momentum) || momentum < 0) {
      throw new Error("Momentum " + controls.momentum.value + " is not a number of at " +
        "least 0: try 0 (none) or 0.9");
    }
    if (batchSize !== null && !(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new Error("Batch size " + batchText + " is not a whole number of at least 1: " +
        "leave it empty for the whole data (" + samples + " samples) in each step");
    }
    return {
      dataset: controls.dataset.value,
      network: controls.network.value,
      activation: controls.activation.value,
      loss: controls.loss.value,
      lr: lr,
      momentum: momentum,
      batchSize: batchSize,
    };
  }

  function modelOf(settings) {
    const encoding = kit.datasets[settings.dataset].encodings[settings.loss];
    const key = [settings.network, settings.activation, encoding.outputs,
      encoding.outputActivation].join("|");
    return {key: key, model: kit.models[key]};
  }

  // The live run: epoch 0 is the untrained model, scored on the whole data.
  function startLive() {
    pause();
    problem.hidden = true;
    let settings;
    try {
      settings = readSettings();
      trainer = MicrogradTrainer.create(kit, settings);
    } catch (error) {
      fail(error.message);
      return false;
    }
    const start = trainer.evaluate();
    run = {
      recorded: false,
      settings: settings,
      data: kit.datasets[settings.dataset],
      model: modelOf(settings),
      loss: [],
      accuracy: [],
      start: start,
      snapshots: [snapshot(0)],
      failure: null,  // the trainer's error, once an epoch has failed (it diverged)
    };
    shown = 0;
    requestDraw();
    return true;
  }

  function snapshot(epoch) {
    return {
      epoch: epoch,
      params: Array.from(trainer.params),
      grads: epoch === 0 ? null : Array.from(trainer.grads),
      updates: epoch === 0 ? null : Array.from(trainer.updates),
    };
  }

  // The recorded run of a report: its snapshots and history, drawn with a trainer of its
  // settings; the first Play, Step, Reset or change trains live instead.
  function startRecorded(recorded) {
    const settings = readSettings();
    trainer = MicrogradTrainer.create(kit, settings);
    const dataset = kit.datasets[settings.dataset];
    run = {
      recorded: true,
      settings: settings,
      data: {X: recorded.X, labels: recorded.labels, classes: dataset.classes,
        bounds: dataset.bounds},
      model: modelOf(settings),
      loss: recorded.loss,
      accuracy: recorded.accuracy,
      start: withParams(recorded.params[0], () => trainer.evaluate()),
      snapshots: recorded.epochs.map((epoch, index) => ({
        epoch: epoch, params: recorded.params[index], grads: null, updates: null,
      })),
    };
    shown = run.snapshots.length - 1;
    requestDraw();
  }

  // Compute with the parameters of another epoch, then put the current ones back (the
  // trainer's params is the array its programs read, changed in place by each step).
  function withParams(values, compute) {
    const params = trainer.params;
    const saved = Array.from(params);
    values.forEach(function (value, index) { params[index] = value; });
    try {
      return compute();
    } finally {
      saved.forEach(function (value, index) { params[index] = value; });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Training: Step, Play, Pause, Reset
  // ---------------------------------------------------------------------------------------

  function exhausted() {
    return trainer.epoch >= kit.settings.epochs;
  }

  // One epoch; false when it could not run (every epoch done, or training failed).
  function stepOnce() {
    if (run.recorded && !startLive()) return false;
    if (run.failure) {
      fail(run.failure + " — press Reset or change a setting to start again.");
      return false;
    }
    if (exhausted()) {
      fail("All " + kit.settings.epochs + " epochs this page holds are trained: press Reset " +
        "to start again.");
      return false;
    }
    try {
      trainer.step();
    } catch (error) {
      run.failure = error.message;
      fail(error.message);
      return false;
    }
    // copies: a failed epoch leaves its loss in the trainer's history, not in the run's
    run.loss = trainer.history.loss.slice(0, trainer.epoch);
    run.accuracy = trainer.history.accuracy.slice(0, trainer.epoch);
    run.snapshots.push(snapshot(trainer.epoch));
    shown = run.snapshots.length - 1;
    return true;
  }

  function play() {
    if (run.recorded) {
      if (!startLive()) return;
    } else if (exhausted()) {
      if (!startLive()) return;
    }
    shown = run.snapshots.length - 1;
    playing = {start: performance.now(), done: 0};
    playButton.textContent = "Pause";
    status.setAttribute("aria-live", "off");  // a screen reader hears where Pause stops it
    requestAnimationFrame(tick);
  }

  function pause() {
    playing = null;
    playButton.textContent = "Play";
    status.setAttribute("aria-live", "polite");
  }

  function tick(now) {
    if (!playing) return;
    const rate = EPOCHS_PER_SECOND[Number(speed.value) - 1];
    const due = Math.floor((now - playing.start) / 1000 * rate) + 1 - playing.done;
    const deadline = performance.now() + FRAME_BUDGET_MS;
    for (let count = 0; count < due && performance.now() < deadline; count += 1) {
      if (!stepOnce()) {
        pause();
        break;
      }
      playing.done += 1;
      if (exhausted()) {
        pause();
        break;
      }
    }
    draw();
    if (playing) requestAnimationFrame(tick);
  }

  playButton.addEventListener("click", function () {
    if (playing) pause();
    else play();
  });
  element("step").addEventListener("click", function () {
    pause();
    stepOnce();
    draw();
  });
  element("reset").addEventListener("click", function () {
    startLive();
    draw();
  });
  speed.addEventListener("input", function () {
    if (playing) playing = {start: performance.now(), done: 0};
  });
  slider.addEventListener("input", function () {
    pause();
    shown = Number(slider.value);
    draw();
  });
  showGradients.addEventListener("change", requestDraw);

  // A new dataset brings its own losses and its `train` defaults.
  controls.dataset.addEventListener("change", function () {
    const name = controls.dataset.value;
    const defaults = kit.defaults[name];
    controls.loss.replaceChildren(...kit.menus.losses[name].map(function (loss) {
      const option = document.createElement("option");
      option.value = option.textContent = loss;
      return option;
    }));
    controls.loss.value = defaults.loss;
    if (kit.menus.networks.includes(defaults.network)) controls.network.value = defaults.network;
    controls.lr.value = String(defaults.lr);
    controls.momentum.value = String(defaults.momentum);
    controls.batchSize.value = defaults.batchSize === null ? "" : String(defaults.batchSize);
  });
  Object.values(controls).forEach(function (control) {
    control.addEventListener("change", function () {
      startLive();
      draw();
    });
  });

  // ---------------------------------------------------------------------------------------
  // Drawing: at most once per animation frame
  // ---------------------------------------------------------------------------------------

  function requestDraw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(function () {
      if (drawPending) draw();
    });
  }

  function draw() {
    drawPending = false;
    const current = run.snapshots[shown];
    const latest = shown === run.snapshots.length - 1 && !run.recorded;
    slider.max = String(run.snapshots.length - 1);
    slider.value = String(shown);
    slider.setAttribute("aria-valuetext", "Epoch " + current.epoch);
    drawStatus(current.epoch);
    drawCurves(current.epoch);
    if (drawnNetwork !== run.model.key) buildNetwork();
    const paint = () => {
      drawTrained(current.epoch, trainer.evaluate());
      drawBoundary();
      drawNeurons();
    };
    if (latest) paint();
    else withParams(current.params, paint);
    drawWeights(current);
    showDetails();
  }

  function numbersAt(epoch) {
    if (epoch === 0) return {loss: run.start.loss, accuracy: run.start.accuracy};
    const accuracy = run.accuracy && run.accuracy.length >= epoch ? run.accuracy[epoch - 1]
      : null;
    return {loss: run.loss[epoch - 1], accuracy: accuracy};
  }

  function drawStatus(epoch) {
    const numbers = numbersAt(epoch);
    let text = "Epoch " + epoch + ": loss " + fixed(numbers.loss, 4);
    if (numbers.accuracy !== null && numbers.accuracy !== undefined) {
      text += ", accuracy " + percent(numbers.accuracy);
    }
    if (run.recorded) text += " (the recorded run)";
    status.textContent = text;
    status.dataset.loss = String(numbers.loss);
    status.dataset.epoch = String(epoch);
  }

  // The network drawn is the one after the epoch's steps; the epoch's loss was measured during
  // the epoch, each sample scored by the parameters its step started from. So the drawn
  // network's own numbers, on the whole data, are shown too (after the last epoch of a run:
  // History.final_loss and final_accuracy).
  function drawTrained(epoch, numbers) {
    let text = (epoch === 0 ? "The network drawn, before training" :
      "The network drawn, after epoch " + epoch) + ": loss " + fixed(numbers.loss, 4);
    if (numbers.accuracy !== null) text += ", accuracy " + percent(numbers.accuracy);
    trained.textContent = text + " on the whole data" + (epoch === 0 ? "." :
      " (the status's loss was measured during the epoch, before its steps).");
    trained.dataset.loss = String(numbers.loss);
  }

  // The loss (left axis) and accuracy (right axis) per epoch, the epoch on show marked.
  function drawCurves(epoch) {
    const width = 360;
    const height = 220;
    const left = 46;
    const right = 46;
    const top = 12;
    const bottom = 38;
    const trained = run.loss.length;
    const last = Math.max(run.recorded ? trained : kit.settings.epochs, 1);
    const losses = [run.start.loss, ...run.loss];
    const largest = Math.max(...losses.filter(Number.isFinite), 1e-12);
    const x = (k) => (left + (width - left - right) * k / last).toFixed(1);
    const yLoss = (value) => (top + (height - top - bottom) * (1 - value / largest)).toFixed(1);
    const yAccuracy = (value) => (top + (height - top - bottom) * (1 - value)).toFixed(1);
    const parts = [];
    const axisBottom = height - bottom;
    parts.push('<g class="axes" stroke="#777" fill="none">' +
      `<line x1="${left}" y1="${axisBottom}" x2="${width - right}" y2="${axisBottom}"/>` +
      `<line x1="${left}" y1="${top}" x2="${left}" y2="${axisBottom}"/>` +
      `<line x1="${width - right}" y1="${top}" x2="${width - right}" y2="${axisBottom}"/></g>`);
    parts.push('<g class="ticks" font-size="10" fill="#333">' +
      `<text x="${left}" y="${axisBottom + 13}" text-anchor="middle">0</text>` +
      `<text x="${width - right}" y="${axisBottom + 13}" text-anchor="middle">${last}</text>` +
      `<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">epoch</text>` +
      `<text x="${left - 4}" y="${axisBottom}" text-anchor="end">0</text>` +
      `<text x="${left - 4}" y="${top + 8}" text-anchor="end">${largest.toPrecision(3)}</text>` +
      `<text x="12" y="${(top + axisBottom) / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 12 ${(top + axisBottom) / 2})" fill="#b2182b">loss</text>` +
      `<text x="${width - right + 4}" y="${axisBottom}">0%</text>` +
      `<text x="${width - right + 4}" y="${top + 8}">100%</text>` +
      `<text x="${width - 10}" y="${(top + axisBottom) / 2}" text-anchor="middle" ` +
      `transform="rotate(90 ${width - 10} ${(top + axisBottom) / 2})" fill="#4d9221">accuracy</text>` +
      "</g>");
    const lossPath = losses.map((value, k) => `${x(k)},${yLoss(value)}`).join(" ");
    parts.push(`<polyline points="${lossPath}" fill="none" stroke="#b2182b" stroke-width="1.5"/>`);
    const accuracies = [run.start.accuracy, ...(run.accuracy || [])];
    if (accuracies.every((value) => value !== null && value !== undefined)) {
      const path = accuracies.map((value, k) => `${x(k)},${yAccuracy(value)}`).join(" ");
      parts.push(`<polyline points="${path}" fill="none" stroke="#4d9221" ` +
        'stroke-dasharray="4 3"/>');
    }
    parts.push(`<line id="epoch-marker" x1="${x(epoch)}" x2="${x(epoch)}" y1="${top}" ` +
      `y2="${axisBottom}" stroke="#e08214" stroke-width="2"/>`);
    parts.push('<g class="loss-points">' + losses.map((value, k) =>
      `<circle class="loss-point" cx="${x(k)}" cy="${yLoss(value)}" r="${k === epoch ? 3.5 : 1.5}"` +
      ` fill="${k === epoch ? "#e08214" : "#b2182b"}" data-epoch="${k}" data-loss="${String(value)}"/>`
    ).join("") + "</g>");
    curves.innerHTML = parts.join("");
  }

  // Where point (column, row) of a grid of `cells` sits on the plane.
  function planePoint(bounds, cells, column, row) {
    const [xmin, xmax, ymin, ymax] = bounds;
    return [xmin + (column + 0.5) * (xmax - xmin) / cells,
      ymax - (row + 0.5) * (ymax - ymin) / cells];
  }

  // Each class's probability in its colour, mixed where the model is unsure; the more sure,
  // the stronger. Drawn small and scaled up smoothly: soft edges.
  const boundaryCells = document.createElement("canvas");
  boundaryCells.width = boundaryCells.height = BOUNDARY_CELLS;
  function drawBoundary() {
    const context = boundaryCells.getContext("2d");
    const image = context.createImageData(BOUNDARY_CELLS, BOUNDARY_CELLS);
    const classes = run.data.classes;
    for (let row = 0; row < BOUNDARY_CELLS; row += 1) {
      for (let column = 0; column < BOUNDARY_CELLS; column += 1) {
        const [x, y] = planePoint(run.data.bounds, BOUNDARY_CELLS, column, row);
        const probabilities = trainer.scores(x, y);
        const mixed = [0, 0, 0];
        let most = 0;
        probabilities.forEach(function (p, index) {
          const colour = classRgb[index % classRgb.length];
          for (let channel = 0; channel < 3; channel += 1) mixed[channel] += p * colour[channel];
          most = Math.max(most, p);
        });
        const sure = classes > 1 ? (most - 1 / classes) / (1 - 1 / classes) : 1;
        const strength = 0.15 + 0.5 * Math.max(0, Math.min(1, sure));
        const at = 4 * (row * BOUNDARY_CELLS + column);
        for (let channel = 0; channel < 3; channel += 1) {
          image.data[at + channel] = Math.round(255 * (1 - strength) + mixed[channel] * strength);
        }
        image.data[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
    const visible = boundary.getContext("2d");
    visible.imageSmoothingEnabled = true;
    visible.imageSmoothingQuality = "high";
    visible.drawImage(boundaryCells, 0, 0, boundary.width, boundary.height);
    drawPoints();
  }

  let drawnPoints = null;
  function drawPoints() {
    if (drawnPoints === run.data) return;
    drawnPoints = run.data;
    const [xmin, xmax, ymin, ymax] = run.data.bounds;
    points.innerHTML = run.data.X.map(function (row, index) {
      const label = run.data.labels[index];
      const cx = ((row[0] - xmin) / (xmax - xmin) * 240).toFixed(1);
      const cy = ((ymax - row[1]) / (ymax - ymin) * 240).toFixed(1);
      return `<circle class="point" cx="${cx}" cy="${cy}" r="3.5" data-class="${label}" ` +
        `fill="${colourOf(label)}" stroke="#222" stroke-width="0.6"/>`;
    }).join("");
    points.dataset.dataset = run.settings.dataset;
  }

  // ---------------------------------------------------------------------------------------
  // The network: columns of neurons, one line per weight
  // ---------------------------------------------------------------------------------------

  const COLUMN = 120;  // between layers
  const ROW = 30;      // between neurons
  const PICTURE = 26;  // a hidden neuron's picture

  function neuronName(layer, neuron) {
    return "L" + (layer + 1) + " N" + (neuron + 1);
  }

  function inputName(index) {
    return ["x", "y"][index] || "x" + index;
  }

  function buildNetwork() {
    drawnNetwork = run.model.key;
    focused = null;
    const sizes = run.model.model.sizes;
    const tallest = Math.max(...sizes);
    const width = 60 + COLUMN * (sizes.length - 1) + 40;
    const height = ROW * tallest + 16;
    const place = (column, index) => [50 + COLUMN * column,
      8 + (height - 16 - ROW * sizes[column]) / 2 + ROW * (index + 0.5)];
    network.setAttribute("viewBox", `0 0 ${width} ${height}`);
    network.setAttribute("width", String(width));
    const parts = [];
    const hits = [];
    run.model.model.layers.forEach(function (layer, index) {
      for (let neuron = 0; neuron < layer.neurons; neuron += 1) {
        const [x2, y2] = place(index + 1, neuron);
        for (let input = 0; input < layer.inputs; input += 1) {
          const [x1, y1] = place(index, input);
          const from = index === 0 ? inputName(input) : neuronName(index - 1, input);
          const parameter = layer.offset + neuron * (layer.inputs + 1) + input;
          // over each weight a wide transparent line, so that a thin one is easy to point at
          hits.push(`<line class="hit" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" ` +
            `data-weight="${hits.length}"/>`);
          parts.push(`<line class="weight" tabindex="0" x1="${x1}" y1="${y1}" x2="${x2}" ` +
            `y2="${y2}" data-parameter="${parameter}" ` +
            `data-name="layers.${index}.neurons.${neuron}.w.${input}" aria-label="weight from ` +
            `${from} to ${neuronName(index, neuron)}"/>`);
        }
      }
    });
    parts.push(...hits);
    for (let input = 0; input < sizes[0]; input += 1) {
      const [x, y] = place(0, input);
      parts.push(`<g class="input"><circle cx="${x}" cy="${y}" r="11"/>` +
        `<text x="${x}" y="${y + 4}" text-anchor="middle">${inputName(input)}</text></g>`);
    }
    const output = sizes.length - 2;
    run.model.model.layers.forEach(function (layer, index) {
      for (let neuron = 0; neuron < layer.neurons; neuron += 1) {
        const [x, y] = place(index + 1, neuron);
        const bias = layer.offset + neuron * (layer.inputs + 1) + layer.inputs;
        const name = neuronName(index, neuron);
        const shape = index === output
          ? `<circle cx="${x}" cy="${y}" r="12"/>`
          : `<rect x="${x - PICTURE / 2}" y="${y - PICTURE / 2}" width="${PICTURE}" ` +
            `height="${PICTURE}"/><foreignObject x="${x - PICTURE / 2 + 1}" ` +
            `y="${y - PICTURE / 2 + 1}" width="${PICTURE - 2}" height="${PICTURE - 2}">` +
            `<canvas xmlns="http://www.w3.org/1999/xhtml" class="picture" width="${NEURON_CELLS}"` +
            ` height="${NEURON_CELLS}" data-layer="${index}" data-neuron="${neuron}"></canvas>` +
            "</foreignObject>";
        parts.push(`<g class="neuron${index === output ? " output" : ""}" tabindex="0" ` +
          `data-parameter="${bias}" data-name="layers.${index}.neurons.${neuron}.b" ` +
          `data-layer="${index}" data-neuron="${neuron}" ` +
          `aria-label="${index === output ? "output" : "hidden"} neuron ${name}">${shape}</g>`);
      }
    });
    network.innerHTML = parts.join("");
    weightLines = Array.from(network.querySelectorAll(".weight"));
    pictures = Array.from(network.querySelectorAll("canvas.picture"));
    const hidden = sizes.slice(1, -1).join(",") || "none";
    caption.dataset.sizes = sizes.join("-");
    captionShape.textContent = `Network ${sizes.join("-")} (hidden layers: ${hidden}). `;
  }
  let weightLines = [];
  let pictures = [];

  // Each weight's colour (sign) and thickness (size, against the largest) from its value, or
  // from its last gradient when "Show gradients" is on.
  function drawWeights(current) {
    const gradients = showGradients.checked;
    const numbers = gradients ? current.grads : current.params;
    const parameters = weightLines.map((line) => Number(line.dataset.parameter));
    const values = numbers ? parameters.map((index) => numbers[index]) : parameters.map(() => 0);
    const largest = Math.max(...values.map(Math.abs), 1e-300);
    weightLines.forEach(function (line, position) {
      const value = values[position];
      const colour = value < 0 ? colours.negative : colours.positive;
      line.setAttribute("stroke", numbers ? colour : "#bbbbbb");  // grey: no gradient yet
      line.setAttribute("stroke-width", (0.3 + 3.7 * Math.abs(value) / largest).toFixed(2));
    });
    let missing = "No gradient before the first epoch";
    if (run.recorded) missing = "The recorded run keeps no gradients: Step or Play trains here";
    captionLegend.textContent = (gradients
      ? (numbers ? "Each weight's last gradient" : missing) +
        " (blue positive, red negative, thicker = larger)."
      : "Each weight's value (blue positive, red negative, thicker = larger |w|); each hidden " +
        "neuron's output over the plane (blue high, white at its middle, red low).");
  }

  // Each hidden neuron's output over the input plane, blue where high, red where below its
  // middle (0, or 0.5 for sigmoid), scaled to the neuron's own largest output.
  function drawNeurons() {
    if (pictures.length === 0) return;
    const centre = run.model.model.activation === "sigmoid" ? 0.5 : 0;
    const grid = [];
    for (let row = 0; row < NEURON_CELLS; row += 1) {
      for (let column = 0; column < NEURON_CELLS; column += 1) {
        const [x, y] = planePoint(run.data.bounds, NEURON_CELLS, column, row);
        grid.push(trainer.activations(x, y));
      }
    }
    pictures.forEach(function (canvas) {
      const layer = Number(canvas.dataset.layer);
      const neuron = Number(canvas.dataset.neuron);
      const outputs = grid.map((layers) => layers[layer][neuron] - centre);
      const largest = Math.max(...outputs.map(Math.abs), 1e-12);
      const context = canvas.getContext("2d");
      const image = context.createImageData(NEURON_CELLS, NEURON_CELLS);
      outputs.forEach(function (value, at) {
        const colour = value >= 0 ? positiveRgb : negativeRgb;
        const strength = Math.min(1, Math.abs(value) / largest);
        for (let channel = 0; channel < 3; channel += 1) {
          image.data[4 * at + channel] = Math.round(255 * (1 - strength) + colour[channel] * strength);
        }
        image.data[4 * at + 3] = 255;
      });
      context.putImageData(image, 0, 0);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Hover and focus: a weight's or a neuron's value, gradient and last update
  // ---------------------------------------------------------------------------------------

  function showDetails() {
    if (!focused) return;
    const current = run.snapshots[shown];
    const index = Number(focused.dataset.parameter);
    const value = current.params[index];
    const gradient = current.grads ? current.grads[index] : null;
    const update = current.updates ? current.updates[index] : null;
    const what = focused.classList.contains("weight")
      ? focused.getAttribute("aria-label").replace(/^weight/, "Weight")
      : "Neuron " + neuronName(Number(focused.dataset.layer), Number(focused.dataset.neuron)) +
        "'s bias";
    const name = focused.dataset.name;  // as model.named_parameters() names it
    details.textContent = `${what} (${name}) at epoch ${current.epoch}: value ${short(value)}, ` +
      `gradient ${short(gradient)}, last update ${short(update)}`;
    details.dataset.value = String(value);
    details.dataset.gradient = String(gradient);
    details.dataset.update = String(update);
  }

  function focus(event) {
    const hit = event.target.closest(".hit");
    const target = hit ? weightLines[Number(hit.dataset.weight)]
      : event.target.closest(".weight, .neuron");
    if (!target) return;
    if (focused) focused.classList.remove("focused");
    focused = target;
    focused.classList.add("focused");
    showDetails();
  }
  network.addEventListener("mouseover", focus);
  network.addEventListener("focusin", focus);

  // ---------------------------------------------------------------------------------------
  // Start: the recorded run of a report, or the live run at epoch 0
  // ---------------------------------------------------------------------------------------

  element("without-javascript").remove();  // its pictures are of the last epoch only
  element("playground").hidden = false;
  element("live").hidden = false;
  if (page.recorded) startRecorded(page.recorded);
  else startLive();
  draw();
})();
