"""The summary of a fitted Forecaster that ``forecast fit`` and ``forecast inspect`` print."""

from __future__ import annotations


def _stamp(ts) -> str:
    """A timestamp as the CSV would show it: the date alone at midnight."""
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else str(ts)


def _fit_summary(fc, model_dir) -> str:
    import pandas as pd

    from forecast.frequency import freq_name

    info, m, t = fc.data_info_, fc.metrics_, fc.training_
    first = min(pd.Timestamp(s["start"]) for s in info["series"].values())
    last = max(pd.Timestamp(s["end"]) for s in info["series"].values())
    series = "" if info["id_col"] is None else f", {len(info['series'])} series"
    lines = [
        f"Data:       {info['source']}: {_stamp(first)} .. {_stamp(last)}, {freq_name(fc.freq_)} ({fc.freq_}){series}, "
        f"target {', '.join(fc.targets_)}",
        f"Model:      {fc.model}, lookback {fc.lookback_}, horizon {fc.horizon_}",
    ]
    if "selected" in t:
        chosen = sorted({m for per in t["selected"].values() for m in per.values()})
        lines.append(
            f"Selected:   {', '.join(chosen)} (on the rows before validation; a forecast "
            "refits on its history)"
        )
    if "members" in t:
        lines.append(
            f"Training:   {t['train_windows']} windows, {t['val_windows']} for validation "
            f"({t['validation']}), {t['members']} network(s), best epochs "
            f"{', '.join(map(str, t['best_epoch']))} of at most {fc.epochs}"
            + (" (0: no better than its naive base)" if 0 in t["best_epoch"] else "")
        )
        if "base_seasons" in t:
            lags = t["base_seasons"]
            base = (
                f"seasonal naive at lag {lags[0]}"
                if len(lags) == 1
                else f"mean of seasonal naive at lags {' and '.join(map(str, lags))}"
            )
            lines.append(f"Base:       {base}; the network forecasts the change from it")
        if "deseasonalized" in t:
            lines.append(
                f"Seasonal:   indices taken out of {t['deseasonalized']} of "
                f"{len(info['series'])} series (where the test found a season)"
            )
        if "network_weight" in t:
            w, a = t["network_weight"], t.get("arima_weight", 0.0)
            mix = f"Combined:   {w:g} x network + {round(1 - w - a, 3):g} x theta, "
            if "arima_weight" in t:  # arima joined (forecast.models.partners)
                mix = mix.replace("theta, ", f"theta + {a:g} x arima, ")
            if "validation_error_alone" in t:
                alone = ", ".join(f"{k} {e:.3f}" for k, e in t["validation_error_alone"].items())
                lines.append(f"{mix}inverse-error weights (validation error per series: {alone})")
            elif "validation_error_by_weight" in t:
                errors = list(t["validation_error_by_weight"].values())
                lines.append(
                    f"{mix}inverse-error weights (validation error per series: network "
                    f"{errors[0]:.3f}, theta {errors[-1]:.3f})"
                )
            elif w == 1:  # theta could not be fitted to any series that judges the weight
                lines.append(
                    "Combined:   the network alone: theta could not be fitted to the series "
                    "whose validation judges the weight"
                )
            else:  # every series' validation overlapped its training windows
                lines.append(
                    f"{mix}equal weights: no series had validation windows apart from its "
                    "training windows to choose the weight on"
                )
    coverage = fc.interval_["coverage"]
    lines += [
        f"Validation: MAE {m['mae']:.4g} (seasonal naive {m['seasonal_naive_mae']:.4g}), "
        f"MASE {m['mase']:.3f} (seasonal naive {m['seasonal_naive_mase']:.3f}), "
        f"{fc.level:g}% interval coverage " + ("n/a" if coverage is None else f"{coverage:.0f}%"),
        f"Saved:      {model_dir}" if model_dir else "Saved:      nothing (the chief saves)",
    ]
    return "\n".join(lines)
