"""Build-time figures and numbers for lesson 7, "Going further": each tested.

The runs come from `runs.load("further")["rows"]` (coursekit/runs.py, run_further): one dict per
row of the recipe, with "name", "recipe" and "runs", a list with one run per seed, each holding
"validation", "test" (accuracy after every epoch), "loss" and "seconds" (CPU, per epoch).
"""

from __future__ import annotations

import numpy as np

from coursekit.figures_training import markdown_table


def summary(row):
    """One row over its seeds: each seed's epoch chosen on validation, and the test accuracy there.

    Returns a dict: name; epochs (chosen, one per seed); validation and test (at those epochs);
    mean and spread (sample standard deviation) of the test accuracies; seconds (mean CPU time
    of the whole run); to_98 (per seed, the first epoch whose validation accuracy reaches 98 %).
    """
    epochs, validation, test, seconds, to_98 = [], [], [], [], []
    for run in row["runs"]:
        best = int(np.argmax(run["validation"]))  # the first epoch with the best validation accuracy
        epochs.append(best + 1)
        validation.append(run["validation"][best])
        test.append(run["test"][best])
        seconds.append(float(np.sum(run["seconds"])))
        hits = np.flatnonzero(np.asarray(run["validation"]) >= 0.98)
        to_98.append(int(hits[0]) + 1 if hits.size else None)
    return {"name": row["name"], "epochs": epochs, "validation": validation, "test": test,
            "mean": float(np.mean(test)), "spread": float(np.std(test, ddof=1)) if len(test) > 1 else 0.0,
            "seconds": float(np.mean(seconds)), "to_98": to_98}


def verdict(before, after):
    """Whether a row's change shows: 'gain' or 'loss' when the difference of the mean test
    accuracies is larger than the two rows' spreads together, else 'within the spread'."""
    difference = after["mean"] - before["mean"]
    if abs(difference) <= before["spread"] + after["spread"]:
        return "within the spread"
    return "gain" if difference > 0 else "loss"


def percent(x):
    return f"{100 * x:.2f} %"


def recipe_table(rows):
    """The lesson's table: per row, mean ± spread of the test accuracy, the change from the row
    above and whether it exceeds the spread, the epochs chosen on validation, the CPU time."""
    summaries = [summary(row) for row in rows]
    lines = []
    for i, s in enumerate(summaries):
        if i == 0:
            change = "(start)"
        else:
            d = s["mean"] - summaries[i - 1]["mean"]
            change = f"{100 * d:+.2f} ({verdict(summaries[i - 1], s)})"
        lines.append([s["name"], f"{percent(s['mean'])} ± {100 * s['spread']:.2f}", change,
                      ", ".join(str(e) for e in s["epochs"]), f"{s['seconds']:.0f} s"])
    return markdown_table(["change", f"test accuracy (mean ± spread, {len(rows[0]['runs'])} seeds)",
                           "difference (points)", "epochs chosen on validation", "CPU time per run"], lines)


def recipe_curves(rows, zoom=(0.95, 0.985)):
    """Lesson 7: mean VALIDATION accuracy per epoch for every row of the recipe, all rows and zoomed in.

    Validation, not test: the curves are what the epochs are chosen on; the test set is read
    once, at the chosen epoch, for the table. Left, every row on 0-100 %; right, the same curves
    between `zoom`. Lines differ by marker and dash as well as by colour.
    """
    import matplotlib.pyplot as plt

    fig, (full, close) = plt.subplots(1, 2, figsize=(7.4, 3.6), layout="constrained")
    styles = ["-", "--", "-.", ":"]
    markers = ["o", "s", "^", "v", "D", "x", "+", "*", "P", "h"]
    for i, row in enumerate(rows):
        accuracy = 100 * np.mean([run["validation"] for run in row["runs"]], axis=0)
        epochs = np.arange(1, len(accuracy) + 1)
        for ax in (full, close):
            ax.plot(epochs, accuracy, linestyle=styles[i % len(styles)], marker=markers[i % len(markers)],
                    markersize=3.5, linewidth=1.2, label=row["name"])
    full.set_ylim(0, 100)
    close.set_ylim(100 * zoom[0], 100 * zoom[1])
    full.set_title("every row", fontsize=9)
    close.set_title(f"zoomed: {100 * zoom[0]:g} % to {100 * zoom[1]:g} %", fontsize=9)
    for ax in (full, close):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    full.set_ylabel("validation accuracy (%), mean over seeds")
    fig.legend(*full.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    return fig
