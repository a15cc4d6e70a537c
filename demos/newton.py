"""Newton's method with grad and hessian: a minimum in a few steps, beside gradient descent."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from micrograd_ann.demos._shared import run_demo, write_text

from micrograd_ann import Value, grad, hessian

TITLE = "Newton's method from second derivatives, against gradient descent"

TOLERANCE = 1e-10
"""Stop when every component of the gradient is this small."""


def curve(x: Value) -> Value:
    """f(x) = eˣ − 2x: f′ = eˣ − 2, f″ = eˣ > 0, so its one minimum is at x = ln 2."""
    return x.exp() - 2 * x


def rosenbrock(x: Value, y: Value) -> Value:
    """f(x, y) = (1 − x)² + 100·(y − x²)²: a long curved valley, minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def newton_in_one_variable(x: float, steps: int) -> list[tuple[float, float, float]]:
    """x ← x − f′(x)/f″(x), with f′ and f″ from `grad`; rows of (x, f′, f″) until f′ ≈ 0."""
    rows = []
    for _ in range(steps):
        variable = Value(x)
        (slope,) = grad(curve(variable), variable, create_graph=True)
        (curvature,) = grad(slope, variable)
        rows.append((x, slope.data, curvature.data))
        if abs(slope.data) <= TOLERANCE:
            break
        x -= slope.data / curvature.data
    return rows


def gradient(function: Callable[..., Value], point: list[float]) -> list[float]:
    """∇f at `point`, from `grad` (no `.grad` attribute involved)."""
    inputs = [Value(number) for number in point]
    return [slope.data for slope in grad(function(*inputs), inputs)]


def newton_in_two_variables(point: list[float], steps: int) -> list[list[float]]:
    """p ← p − H⁻¹∇f, solving the 2×2 system H·d = ∇f by Cramer's rule; the points visited."""
    visited = [point]
    for _ in range(steps):
        slope = gradient(rosenbrock, point)
        if max(map(abs, slope)) <= TOLERANCE:
            break
        (a, b), (c, d) = hessian(rosenbrock, point)
        determinant = a * d - b * c
        step = [(d * slope[0] - b * slope[1]) / determinant,
                (a * slope[1] - c * slope[0]) / determinant]
        point = [point[0] - step[0], point[1] - step[1]]
        visited.append(point)
    return visited


def gradient_descent(
    function: Callable[..., Value], point: list[float], rate: float, steps: int
) -> tuple[list[float], int]:
    """p ← p − η∇f until the gradient is below `TOLERANCE` or `steps` run out."""
    for step in range(steps):
        slope = gradient(function, point)
        if max(map(abs, slope)) <= TOLERANCE:
            return point, step
        point = [number - rate * component for number, component in zip(point, slope)]
    return point, steps


def main(fast: bool = False, out: Path | None = None) -> dict[str, Any]:
    """Minimise a function of one and of two variables by Newton's method and by gradient descent.

    With `out`, writes newton_second_derivative.svg: the graph that computes f″(x) of the curve,
    made by differentiating twice with `grad(..., create_graph=True)`. `fast` gives gradient
    descent fewer steps (Newton's method is the same).
    """
    descent_steps = 2_000 if fast else 20_000
    print("One variable: f(x) = eˣ − 2x, minimum at x = ln 2 = 0.693147180559945")
    print("Newton: x ← x − f′(x) / f″(x), both from grad (f″ by differentiating f′ again)\n")
    print(f"{'step':>4}  {'x':>18}  {'f′(x)':>12}  {'f″(x)':>10}")
    rows = newton_in_one_variable(2.0, steps=20)
    for step, (x, slope, curvature) in enumerate(rows):
        print(f"{step:>4}  {x:>18.15f}  {slope:>12.3e}  {curvature:>10.6f}")
    (descent_x,), descent_count = gradient_descent(
        curve, [2.0], rate=0.1, steps=descent_steps
    )
    print(f"\nNewton: {len(rows) - 1} steps to |f′| ≤ {TOLERANCE:g}. Gradient descent (η = 0.1)"
          f" from the same start: {descent_count} steps, x = {descent_x:.15f}")

    print("\nTwo variables: Rosenbrock's f(x, y) = (1 − x)² + 100·(y − x²)², minimum at (1, 1)")
    print("Newton: p ← p − H⁻¹∇f, with H = hessian(f, p)\n")
    visited = newton_in_two_variables([-1.2, 1.0], steps=20)
    for step, (x, y) in enumerate(visited):
        value = rosenbrock(Value(x), Value(y)).data
        print(f"{step:>4}  x = {x:>18.15f}  y = {y:>18.15f}  f = {value:.3e}")
    descent_point, descent_steps_2d = gradient_descent(
        rosenbrock, [-1.2, 1.0], rate=0.001, steps=descent_steps
    )
    distance = math.dist(descent_point, [1.0, 1.0])
    print(f"\nNewton: {len(visited) - 1} steps. Gradient descent (η = 0.001): after "
          f"{descent_steps_2d} steps it is at ({descent_point[0]:.6f}, {descent_point[1]:.6f}), "
          f"still {distance:.2e} from the minimum")
    if out is not None:
        from micrograd_ann.viz import draw_graph, render_svg

        x = Value(0.5, label="x")
        (slope,) = grad(curve(x), x, create_graph=True)
        (curvature,) = grad(slope, x, create_graph=True)
        curvature.label = "f″(x)"
        write_text(out, "newton_second_derivative.svg", render_svg(draw_graph(curvature)))
    return {
        "newton_1d": [row[0] for row in rows],
        "newton_1d_steps": len(rows) - 1,
        "descent_1d": descent_x,
        "descent_1d_steps": descent_count,
        "newton_2d": visited,
        "newton_2d_steps": len(visited) - 1,
        "descent_2d": descent_point,
        "descent_2d_steps": descent_steps_2d,
    }


if __name__ == "__main__":
    run_demo(main, __doc__)
