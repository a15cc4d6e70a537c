// The playground's training core: train() in the browser, with train()'s numbers.
//
// A kit (micrograd_ann/playground_kit.py) brings everything made in Python: the data and its
// targets per loss, each epoch's visiting order, each model's initial parameters and the
// generated JavaScript of its forward and backward passes (the compiler's JavaScript dialect).
// This file only runs the epoch of compile.run_compiled_epoch on them:
//
//   per batch: forward each row (generated code) → each sample's loss built on the outputs
//   (losses.py's functions, below, over the operation table's JavaScript rules) → the sum of
//   the batch's losses → each loss's backward from upstream 1/n, samples in reverse order, then
//   the generated backward from the outputs to the parameters → the optimizer's step.
//
// The losses branch on the data (a softplus per sign, a clamp near 0 and 1), so they are not
// compiled: each is built here as losses.py builds it, node by node, on a small record of the
// nodes (`Tape`) whose forward values and local derivatives come from the operation table's
// JavaScript rules (kit.lossRules) and whose backward is engine.Value.backward's loop — the
// same float operations in the same order, so the same numbers.
//
//   const trainer = MicrogradTrainer.create(kit, {dataset: "moons", network: "16,16",
//       activation: "relu", loss: "hinge", lr: 0.5, momentum: 0, batchSize: null});
//   trainer.step();   // {epoch: 1, loss: History.loss[0], accuracy: History.accuracy[0]}
(function (global) {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Compiling what the kit brings (once per kit and program)
  // ---------------------------------------------------------------------------------------

  const compiled = new WeakMap();  // kit → Map(name → compiled program or rules)

  function compiledFor(kit, name, make) {
    if (!compiled.has(kit)) compiled.set(kit, new Map());
    const cache = compiled.get(kit);
    if (!cache.has(name)) cache.set(name, make());
    return cache.get(name);
  }

  // The generated {forward, backward} of one model shape (javascript.model_program).
  function modelProgram(kit, key) {
    if (!(key in kit.programs)) throw new Error("the kit has no program " + key);
    return compiledFor(kit, "program " + key, function () {
      // eslint-disable-next-line no-new-func
      return new Function(kit.runtime + kit.programs[key] + "\nreturn micrograd_model;")();
    });
  }

  // The operation table's JavaScript rules for the losses, with the runtime's repr.
  function lossRules(kit) {
    return compiledFor(kit, "loss rules", function () {
      // eslint-disable-next-line no-new-func
      return new Function(kit.runtime + "\nconst rules = " + kit.lossRules + ";\n" +
        "rules.repr = repr;\nreturn rules;")();
    });
  }

  // ---------------------------------------------------------------------------------------
  // Tape: the losses' nodes, as engine.py records them
  // ---------------------------------------------------------------------------------------

  function Tape(rules) {
    function node(data, children, locals, requiresGrad) {
      return {data: data, grad: 0.0, children: children, locals: locals,
        requiresGrad: requiresGrad};
    }
    function asNode(operand) {
      return typeof operand === "number" ? node(operand, [], [], false) : operand;
    }
    // engine._apply_unary and _apply_binary: forward on the operands' data; a node with its
    // local derivatives when an operand needs a gradient, else a constant.
    function unary(op, x) {
      const rule = rules[op];
      const out = rule.forward(x.data);
      if (!x.requiresGrad) return node(out, [], [], false);
      return node(out, [x], rule.derivatives(x.data, out), true);
    }
    function binary(op, left, right) {
      const a = asNode(left);
      const b = asNode(right);
      const rule = rules[op];
      const out = rule.forward(a.data, b.data);
      if (!a.requiresGrad && !b.requiresGrad) return node(out, [], [], false);
      return node(out, [a, b], rule.derivatives(a.data, b.data, out), true);
    }
    // Value.sum: one node, a derivative of 1 for each term.
    function sum(terms) {
      const children = terms.map(asNode);
      const out = rules.sum.forward.apply(null, children.map(function (c) { return c.data; }));
      if (!children.some(function (child) { return child.requiresGrad; })) {
        return node(out, [], [], false);
      }
      return node(out, children, rules.sum.derivatives(children.length), true);
    }
    // engine.topological_order: interior nodes, each after its children, depth first.
    function topologicalOrder(root) {
      const order = [];
      if (!root.children.length) return order;
      const visited = new Set([root]);
      const stack = [[root, 0]];
      while (stack.length) {
        const top = stack[stack.length - 1];
        const children = top[0].children;
        let pushed = false;
        while (top[1] < children.length) {
          const child = children[top[1]++];
          if (child.children.length && !visited.has(child)) {
            visited.add(child);
            stack.push([child, 0]);
            pushed = true;
            break;
          }
        }
        if (!pushed) {
          stack.pop();
          order.push(top[0]);
        }
      }
      return order;
    }
    return {
      leaf: function (data) { return node(data, [], [], true); },
      add: function (a, b) { return binary("add", a, b); },
      sub: function (a, b) { return binary("sub", a, b); },
      mul: function (a, b) { return binary("mul", a, b); },
      div: function (a, b) { return binary("div", a, b); },
      pow: function (a, b) { return binary("pow", a, b); },
      neg: function (a) { return unary("neg", a); },
      exp: function (a) { return unary("exp", a); },
      log: function (a) { return unary("log", a); },
      relu: function (a) { return unary("relu", a); },
      sum: sum,
      // engine.Value.backward(seed): grads reset, the seed at the root, then each node from
      // the root down passes upstream × local to each child that needs a gradient.
      backward: function (root, seed) {
        const order = topologicalOrder(root);
        for (const each of order) each.grad = 0.0;
        if (root.children.length) root.grad = seed;
        else root.grad += seed;
        for (let index = order.length - 1; index >= 0; index--) {
          const each = order[index];
          const upstream = each.grad;
          if (upstream === 0.0) continue;
          for (let child = 0; child < each.children.length; child++) {
            if (each.children[child].requiresGrad) {
              each.children[child].grad += upstream * each.locals[child];
            }
          }
        }
      },
    };
  }

  // ---------------------------------------------------------------------------------------
  // The per-sample losses and predictions of losses.LOSSES, built as losses.py builds them
  // ---------------------------------------------------------------------------------------

  const PROBABILITY_EPSILON = 1e-12;  // losses.PROBABILITY_EPSILON

  function Losses(tape) {
    // losses._clamp_probability
    function clampProbability(p) {
      if (PROBABILITY_EPSILON <= p.data && p.data <= 1.0 - PROBABILITY_EPSILON) return p;
      const bound = p.data < 0.5 ? PROBABILITY_EPSILON : 1.0 - PROBABILITY_EPSILON;
      return tape.add(tape.mul(p, 0.0), bound);
    }
    // losses._softplus
    function softplus(z) {
      if (z.data > 0.0) return tape.add(z, tape.log(tape.add(1.0, tape.exp(tape.neg(z)))));
      return tape.log(tape.add(1.0, tape.exp(z)));
    }
    function largestIndex(values) {  // losses._index_of_largest: the first of the largest
      let best = 0;
      for (let index = 1; index < values.length; index++) {
        if (values[index] > values[best]) best = index;
      }
      return best;
    }
    return {
      // losses.squared_error
      mse: {
        perSample: function (output, target) {
          if (!Array.isArray(output)) return tape.pow(tape.sub(output, target), 2.0);
          const errors = output.map(function (unit, index) {
            return tape.pow(tape.sub(unit, target[index]), 2.0);
          });
          return tape.div(tape.sum(errors), errors.length);
        },
        predict: null,
      },
      // losses.binary_cross_entropy (after losses._check_probability)
      bce: {
        perSample: function (probability, target) {
          if (!(probability.data >= 0.0 && probability.data <= 1.0)) {
            throw new Error("loss 'bce' needs probabilities in [0, 1], but the model gave " +
              probability.data);
          }
          const p = clampProbability(probability);
          const terms = [];
          if (target !== 0.0) terms.push(tape.mul(target, tape.log(p)));
          if (target !== 1.0) terms.push(tape.mul(1.0 - target, tape.log(tape.sub(1.0, p))));
          return tape.neg(tape.sum(terms));
        },
        predict: function (probability) { return probability.data >= 0.5 ? 1 : 0; },
      },
      // losses.binary_cross_entropy_with_logits
      bce_with_logits: {
        perSample: function (logit, target) {
          const loss = softplus(logit);
          return target !== 0.0 ? tape.sub(loss, tape.mul(target, logit)) : loss;
        },
        predict: function (logit) { return logit.data >= 0.0 ? 1 : 0; },
      },
      // losses.softmax_cross_entropy
      cross_entropy: {
        perSample: function (logits, target) {
          const largest = logits[largestIndex(logits.map(function (l) { return l.data; }))].data;
          const shifted = logits.map(function (logit) { return tape.sub(logit, largest); });
          const exps = shifted.map(function (value) { return tape.exp(value); });
          return tape.sub(tape.log(tape.sum(exps)), shifted[target]);
        },
        predict: function (logits) {
          return largestIndex(logits.map(function (logit) { return logit.data; }));
        },
      },
      // losses.max_margin_loss
      hinge: {
        perSample: function (score, target) {
          return tape.relu(tape.sub(1.0, tape.mul(target, score)));
        },
        predict: function (score) { return score.data > 0.0 ? 1 : -1; },
      },
    };
  }

  // ---------------------------------------------------------------------------------------
  // Python's math.fsum (History.final_loss adds the samples' losses with it)
  // ---------------------------------------------------------------------------------------

  // Shewchuk's exact partial sums, then CPython's correctly rounded total (mathmodule.c).
  function fsum(values) {
    const partials = [];
    let plain = 0.0;
    for (let x of values) {
      plain += x;
      let used = 0;
      for (let index = 0; index < partials.length; index++) {
        let y = partials[index];
        if (Math.abs(x) < Math.abs(y)) { const swap = x; x = y; y = swap; }
        const high = x + y;
        const low = y - (high - x);
        if (low !== 0.0) partials[used++] = low;
        x = high;
      }
      partials.length = used;
      partials.push(x);
    }
    if (!Number.isFinite(plain)) return plain;  // inf or nan among them
    let count = partials.length;
    let high = 0.0;
    if (count > 0) {
      high = partials[--count];
      let low = 0.0;
      while (count > 0) {
        const x = high;
        const y = partials[--count];
        high = x + y;
        low = y - (high - x);
        if (low !== 0.0) break;
      }
      if (count > 0 && ((low < 0.0 && partials[count - 1] < 0.0) ||
                        (low > 0.0 && partials[count - 1] > 0.0))) {
        const y = low * 2.0;
        const x = high + y;
        if (y === x - high) high = x;
      }
    }
    return high;
  }

  // ---------------------------------------------------------------------------------------
  // Optimizers: optim.SGD, optim.Adam, optim.AdamW, step() for step()
  // ---------------------------------------------------------------------------------------

  function SGD(rate, momentum, weightDecay) {
    let velocities = null;
    return {
      // optim.SGD.step
      step: function (params, grads) {
        if (momentum === 0.0) {
          for (let i = 0; i < params.length; i++) {
            params[i] = params[i] - rate * (grads[i] + weightDecay * params[i]);
          }
        } else if (velocities === null) {
          velocities = params.map(function (param, i) { return grads[i] + weightDecay * param; });
          for (let i = 0; i < params.length; i++) params[i] = params[i] - rate * velocities[i];
        } else {
          for (let i = 0; i < params.length; i++) {
            const velocity = momentum * velocities[i] + grads[i] + weightDecay * params[i];
            velocities[i] = velocity;
            params[i] = params[i] - rate * velocity;
          }
        }
      },
    };
  }

  function Adam(rate, weightDecay, decoupled) {
    const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // optim.Adam's defaults
    let steps = 0;
    let means = null, squares = null;
    return {
      // optim.Adam.step (amsgrad off); AdamW shrinks the parameter instead of the gradient
      step: function (params, grads) {
        if (means === null) {
          means = params.map(function () { return 0.0; });
          squares = params.map(function () { return 0.0; });
        }
        steps += 1;
        const stepSize = rate / (1.0 - Math.pow(beta1, steps));
        const correction2Root = Math.pow(1.0 - Math.pow(beta2, steps), 0.5);
        for (let i = 0; i < params.length; i++) {
          let grad = grads[i];
          if (weightDecay !== 0.0) {
            if (decoupled) params[i] = params[i] * (1.0 - rate * weightDecay);
            else grad = grad + weightDecay * params[i];
          }
          const mean = means[i] + (1.0 - beta1) * (grad - means[i]);
          const square = squares[i] * beta2 + (1.0 - beta2) * grad * grad;
          means[i] = mean;
          squares[i] = square;
          const denominator = Math.sqrt(square) / correction2Root + eps;
          params[i] = params[i] + -stepSize * mean / denominator;
        }
      },
    };
  }

  // ---------------------------------------------------------------------------------------
  // The trainer
  // ---------------------------------------------------------------------------------------

  const DIVERGENCE_FACTOR = 1e6;  // history.DIVERGENCE_FACTOR

  function networkText(network) {
    if (Array.isArray(network)) return network.length ? network.join(",") : "none";
    return String(network);
  }

  // The kit's model key of a (dataset, network, activation, loss).
  function modelKey(kit, settings) {
    const data = kit.datasets[settings.dataset];
    if (!data) throw new Error("the kit has no dataset " + settings.dataset);
    const encoding = data.encodings[settings.loss];
    if (!encoding) {
      throw new Error("loss " + settings.loss + " does not fit " + settings.dataset +
        "; choose one of " + Object.keys(data.encodings).join(", "));
    }
    return [networkText(settings.network), settings.activation, encoding.outputs,
      encoding.outputActivation].join("|");
  }

  // Where each parameter sits in params (model.parameters() order): layout.weight(l, i, j) is
  // the index of weight j of neuron i in layer l (0: the first hidden layer), layout.bias(l, i)
  // its bias, layout.names[index] the parameter's name in named_parameters().
  function layoutOf(model) {
    const names = [];
    model.layers.forEach(function (shape, layer) {
      for (let neuron = 0; neuron < shape.neurons; neuron++) {
        const prefix = "layers." + layer + ".neurons." + neuron + ".";
        for (let input = 0; input < shape.inputs; input++) names.push(prefix + "w." + input);
        names.push(prefix + "b");
      }
    });
    return {
      sizes: model.sizes,
      layers: model.layers,
      names: names,
      weight: function (layer, neuron, input) {
        const shape = model.layers[layer];
        return shape.offset + neuron * (shape.inputs + 1) + input;
      },
      bias: function (layer, neuron) {
        const shape = model.layers[layer];
        return shape.offset + neuron * (shape.inputs + 1) + shape.inputs;
      },
    };
  }

  // Python's format(value, ".4g"), for the messages of history.py.
  function formatG(value) {
    if (!Number.isFinite(value)) return String(value);
    if (value === 0) return "0";
    const strip = function (text) { return text.includes(".") ? text.replace(/\.?0+$/, "") : text; };
    const [mantissa, power] = value.toExponential(3).split("e");
    const exponent = Number(power);
    if (exponent < -4 || exponent >= 4) {
      return strip(mantissa) + "e" + (exponent < 0 ? "-" : "+") +
        String(Math.abs(exponent)).padStart(2, "0");
    }
    return strip(value.toFixed(3 - exponent));
  }

  function settingError(message) {
    const error = new Error(message);
    error.name = "ValueError";
    return error;
  }

  function trainingDiverged(epoch, epochs, rate, reason, repr) {
    const error = new Error("training diverged in epoch " + epoch + " of " + epochs + ": " +
      reason + ". The steps are too large: try a smaller learning rate (it is " + repr(rate) +
      "), e.g. a tenth of it (or less momentum)");
    error.name = "TrainingDiverged";
    error.epoch = epoch;
    return error;
  }

  function create(kit, options) {
    const settings = Object.assign({}, kit.settings, options || {});
    const data = kit.datasets[settings.dataset];
    const key = modelKey(kit, settings);
    const model = kit.models[key];
    if (!model) throw new Error("the kit has no model " + key + " (not in its menus)");
    const program = modelProgram(kit, model.program);
    const rules = lossRules(kit);
    const tape = Tape(rules);
    const loss = Losses(tape)[settings.loss];
    const encoding = data.encodings[settings.loss];
    const targets = encoding.targets;
    const single = encoding.outputs === 1;
    const rows = data.X;
    const samples = rows.length;
    const epochs = settings.epochs;
    const rate = Number(settings.lr);
    const momentum = Number(settings.momentum || 0);
    const weightDecay = Number(settings.weightDecay || 0);
    const optimizerName = settings.optimizer || "sgd";
    const batch = settings.batchSize == null ? samples : Math.min(settings.batchSize, samples);
    // train()'s checks of its settings, with its words
    if (!(rate > 0 && rate < Infinity)) {
      throw settingError("lr must be a positive finite number, got " + String(settings.lr) +
        "; typical learning rates are 0.001 to 1");
    }
    if (!(momentum >= 0 && momentum < Infinity)) {
      throw settingError("momentum must be a finite number >= 0, got " + String(settings.momentum));
    }
    if (!Number.isInteger(batch) || batch < 1) {
      throw settingError("batch_size must be a whole number of at least 1 (or none for the " +
        "whole data set), got " + String(settings.batchSize));
    }
    if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= data.orders.length)) {
      throw settingError("epochs must be a whole number from 1 to " + data.orders.length +
        " (the epochs whose orders the kit holds), got " + String(settings.epochs));
    }
    const identity = rows.map(function (_, index) { return index; });

    const initial = kit.parameters[model.parameters];
    let optimizer, params, grads, updates;
    const trainer = {
      key: key,
      settings: settings,
      layout: layoutOf(model),
      epoch: 0,
      history: {loss: [], accuracy: []},
      get params() { return params; },
      get grads() { return grads; },
      get updates() { return updates; },
      get epochs() { return epochs; },
    };

    function newOptimizer() {
      if (optimizerName === "sgd") return SGD(rate, momentum, weightDecay);
      if (optimizerName === "adam") return Adam(rate, weightDecay, false);
      if (optimizerName === "adamw") return Adam(rate, weightDecay, true);
      throw settingError("unknown optimizer " + optimizerName + "; choose sgd, adam or adamw");
    }

    trainer.reset = function () {
      params = initial.slice();
      grads = params.map(function () { return 0.0; });
      updates = params.map(function () { return 0.0; });
      optimizer = newOptimizer();
      trainer.epoch = 0;
      trainer.history = {loss: [], accuracy: []};
      return trainer;
    };

    function outputsOf(result) {
      const leaves = result.map(tape.leaf);
      return [single ? leaves[0] : leaves, leaves];
    }

    // One epoch of compile.run_compiled_epoch; returns [sum of the samples' losses, correct].
    function runEpoch(order) {
      let totalLoss = 0.0;
      let correct = 0;
      for (let start = 0; start < order.length; start += batch) {
        const indices = order.slice(start, start + batch);
        const passes = [];
        const losses = [];
        const outputs = [];
        for (const index of indices) {
          const inputs = rows[index];
          const [result, state] = program.forward(params, inputs);
          const [output, leaves] = outputsOf(result);
          outputs.push(output);
          losses.push(loss.perSample(output, targets[index]));
          passes.push([inputs, state, leaves]);
        }
        const summed = rules.sum.forward.apply(null, losses.map(function (l) { return l.data; }));
        if (!Number.isFinite(summed)) {
          const error = new Error("the loss became " + rules.repr(summed));
          error.name = "ArithmeticError";
          throw error;
        }
        const upstream = 1.0 / indices.length;
        const batchGrads = params.map(function () { return 0.0; });
        for (let sample = passes.length - 1; sample >= 0; sample--) {
          const [inputs, state, leaves] = passes[sample];
          tape.backward(losses[sample], upstream);  // the batch mean's 1/n as the seed
          const contributions = program.backward(params, inputs, state,
            leaves.map(function (leaf) { return leaf.grad; }));
          for (let i = 0; i < batchGrads.length; i++) batchGrads[i] = batchGrads[i] + contributions[i];
        }
        const before = params.slice();
        grads = batchGrads.map(function (grad) { return 0.0 + grad; });  // zero_grad, then +=
        optimizer.step(params, grads);
        updates = params.map(function (param, i) { return param - before[i]; });
        totalLoss += summed;
        if (loss.predict) {
          indices.forEach(function (index, k) {
            if (loss.predict(outputs[k]) === targets[index]) correct += 1;
          });
        }
      }
      return [totalLoss, correct];
    }

    // One epoch exactly as train() runs it: {epoch, loss, accuracy} (History's k-th entries).
    trainer.step = function () {
      if (trainer.epoch >= epochs) {
        const error = new Error("all " + epochs + " epochs the page holds are done; " +
          "press Reset to train again");
        error.name = "EpochsExhausted";
        throw error;
      }
      const epoch = trainer.epoch;
      const order = batch < samples ? data.orders[epoch] : identity;
      let result;
      try {
        result = runEpoch(order);
      } catch (error) {
        // train() turns ArithmeticError (overflow, division by zero, a non-finite loss) into
        // TrainingDiverged; the programs throw Python's class names
        if (/^(ArithmeticError|OverflowError|ZeroDivisionError)$/.test(error.name)) {
          throw trainingDiverged(epoch + 1, epochs, rate, error.message, rules.repr);
        }
        throw error;
      }
      const meanLoss = result[0] / samples;
      trainer.history.loss.push(meanLoss);
      const reason = divergenceReason(meanLoss, "the loss");
      if (reason) throw trainingDiverged(epoch + 1, epochs, rate, reason, rules.repr);
      const accuracy = loss.predict ? result[1] / samples : null;
      if (loss.predict) trainer.history.accuracy.push(accuracy);
      trainer.epoch = epoch + 1;
      return {epoch: trainer.epoch, loss: meanLoss, accuracy: accuracy};
    };

    // history._divergence_reason
    function divergenceReason(value, what) {
      if (!params.every(Number.isFinite)) return "a parameter became infinite or NaN";
      if (!Number.isFinite(value)) return what + " became " + rules.repr(value);
      const start = trainer.history.loss.length ? Math.max(trainer.history.loss[0], 1.0) : 1.0;
      if (value > DIVERGENCE_FACTOR * start) {
        return what + " grew to " + formatG(value) + ", more than 1e+06 times its " +
          "starting level " + formatG(start);
      }
      return null;
    }

    // The current parameters' loss and accuracy on the whole data (History.final_loss and
    // final_accuracy after the last epoch): train._evaluate, its sum by math.fsum.
    trainer.evaluate = function () {
      const values = [];
      let correct = 0;
      rows.forEach(function (inputs, index) {
        const [output] = outputsOf(program.forward(params, inputs)[0]);
        values.push(loss.perSample(output, targets[index]).data);
        if (loss.predict && loss.predict(output) === targets[index]) correct += 1;
      });
      return {loss: fsum(values) / samples, accuracy: loss.predict ? correct / samples : null};
    };
    trainer.finalScores = trainer.evaluate;

    // The model's class probabilities at (x, y): softmax of several linear outputs (several
    // sigmoid outputs divided by their sum); for one output p = σ(output) of a linear output
    // (hinge, bce_with_logits), the output itself of a sigmoid output (bce, mse): [1 − p, p].
    trainer.scores = function (x, y) {
      const outputs = program.forward(params, [x, y])[0];
      if (outputs.length === 1) {
        const p = model.outputActivation === "sigmoid" ? outputs[0]
          : rules.sigmoid.forward(outputs[0]);
        return [1.0 - p, p];
      }
      if (model.outputActivation === "sigmoid") {
        const total = outputs.reduce(function (sum, value) { return sum + value; }, 0.0);
        return outputs.map(function (value) { return total > 0 ? value / total : 1 / outputs.length; });
      }
      const largest = Math.max.apply(null, outputs);
      const exps = outputs.map(function (value) { return Math.exp(value - largest); });
      const total = exps.reduce(function (sum, value) { return sum + value; }, 0.0);
      return exps.map(function (value) { return value / total; });
    };

    // Every neuron's output at (x, y), layer by layer (the forward program's own state).
    trainer.activations = function (x, y) {
      const state = program.forward(params, [x, y])[1];
      return model.neuronStates.map(function (layer) {
        return layer.map(function (position) { return state[position]; });
      });
    };

    return trainer.reset();
  }

  // One sample's loss of `output` (a number, or an array for several output units) against
  // `target`, and its gradient with respect to each output unit from upstream `seed`: what
  // the epoch computes for each sample before the generated backward pass.
  function sampleLoss(kit, lossName, output, target, seed) {
    const tape = Tape(lossRules(kit));
    const loss = Losses(tape)[lossName];
    const leaves = (Array.isArray(output) ? output : [output]).map(tape.leaf);
    const sample = loss.perSample(Array.isArray(output) ? leaves : leaves[0], target);
    tape.backward(sample, seed);
    return {loss: sample.data, grads: leaves.map(function (leaf) { return leaf.grad; }),
      prediction: loss.predict ? loss.predict(Array.isArray(output) ? leaves : leaves[0]) : null};
  }

  global.MicrogradTrainer = {
    create: create, modelKey: modelKey, fsum: fsum, sampleLoss: sampleLoss,
  };
})(typeof window !== "undefined" ? window : globalThis);
