"""Training experiments: float baselines and device networks over seeds, and the sensitivity table.

:func:`run_seeds` trains float baselines and device-aware networks
(:func:`analysis.learning.training.train_many`) for a list of seeds, each device network on the
weight range of its seed's float baseline; :func:`seed_summary` reduces them to the statistic
the report uses (per seed the mean of the last k epochs, then mean ± sd over seeds).
:func:`sensitivity_devices` lists the devices of the sensitivity table — the measured lookup
table, other weight mappings, NeuroSim-shaped devices of a given nonlinearity, number of
states or cycle-to-cycle noise — and :func:`run_sensitivity` / :func:`sensitivity_records` /
:func:`sensitivity_csv` train and tabulate them.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis.learning.lookup_device import LookupDevice, neurosim_shaped_device
from analysis.learning.training import TrainSettings, train_many, weight_range


def last_k_mean(test_accuracy, k: int) -> float:
    """Mean of the last *k* epochs of a test-accuracy curve (index 0 = before training), 1."""
    curve = list(test_accuracy)[1:]
    if isinstance(k, bool) or int(k) != k or not 1 <= k <= len(curve):
        msg = f"k={k!r} must be an integer within 1…{len(curve)} (epochs averaged at the end of training)"
        raise ValueError(msg)
    return float(np.mean(curve[-int(k):]))


def seed_summary(results, k: int) -> dict:
    """Accuracy over seeds, in percent: per seed the mean of the last *k* epochs.

    Returns
    -------
    dict
        ``mean``, ``sd`` (ddof = 1; 0 for one seed), ``per_seed`` (list), ``k``, ``seeds``,
        and the curves' ``curve_mean`` / ``curve_sd`` per epoch (percent).
    """
    per_seed = [100.0 * last_k_mean(r.test_accuracy, k) for r in results]
    curves = 100.0 * np.array([r.test_accuracy for r in results], dtype=float)
    sd = float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0.0
    return {"mean": float(np.mean(per_seed)), "sd": sd, "per_seed": per_seed, "k": int(k),
            "seeds": len(per_seed), "curve_mean": curves.mean(axis=0).tolist(),
            "curve_sd": (curves.std(axis=0, ddof=1) if len(per_seed) > 1 else 0 * curves[0]).tolist()}


def _device_key(device: LookupDevice, mapping: str) -> tuple:
    """What makes two device settings train alike: tables, noise, decay and mapping."""
    decay = device.decay
    decay_key = None if decay is None else (np.asarray(decay.times_s).tobytes(), decay.pot_g.tobytes(),
                                            decay.pot_gain.tobytes(), decay.dep_g.tobytes(), decay.dep_gain.tobytes())
    return device.pot_g.tobytes(), device.dep_g.tobytes(), float(device.noise), decay_key, mapping


def run_seeds(x_train, y_train, x_test, y_test, settings: TrainSettings, devices: dict, seeds,
              label: str = "") -> dict:
    """Float baselines and device-aware networks for every seed, trained together.

    Each seed's device networks use the weight range of that seed's float baseline
    (:func:`weight_range`).  Settings with the same device tables, noise and mapping are
    trained once and share their results.

    Parameters
    ----------
    settings : TrainSettings
        Shared settings (``seed``, ``w_max`` and ``mapping`` are set per member).
    devices : dict
        ``name -> (LookupDevice, mapping)``.
    seeds : sequence of int

    Returns
    -------
    dict
        ``"float"`` and each device name -> list of :class:`~analysis.learning.training.TrainResult` (one per seed),
        and ``"w_max"`` -> list of per-seed weight ranges.  The training-set accuracy is not
        evaluated (``train_accuracy`` is ``nan``; nothing in the notebooks uses it).
    """
    seeds = [int(s) for s in seeds]
    data = (x_train, y_train, x_test, y_test)
    flt = train_many(*data, [(replace(settings, seed=s), None) for s in seeds],
                     labels=[f"{label} float seed {s}" for s in seeds], train_accuracy=False)
    w_max = [weight_range(r.weights) for r in flt]
    # settings that are the same device (same tables and noise) and mapping are trained once
    first_of, unique = {}, []
    for name, (device, mapping) in devices.items():
        key = _device_key(device, mapping)
        if key not in first_of:
            first_of[key] = name
            unique.append(name)
    members, names = [], []
    for name in unique:
        device, mapping = devices[name]
        for s, wm in zip(seeds, w_max):
            members.append((replace(settings, seed=s, w_max=wm, mapping=mapping), device))
            names.append(name)
    res = train_many(*data, members, labels=[f"{label} {n}" for n in names], train_accuracy=False) if members else []
    out = {"float": flt, "w_max": w_max}
    for name, (device, mapping) in devices.items():
        key = _device_key(device, mapping)
        out[name] = [r for r, n in zip(res, names) if n == first_of[key]]
    return out


def sensitivity_devices(reference: LookupDevice, nl_potentiation: float, nl_depression: float,
                        states=(10, 20, 50, 200, 1000), nls=(1.0, 3.0, 5.0),
                        noises=(0.005, 0.02, 0.05), alternatives=(),
                        mappings=("potentiation-only",)) -> list[dict]:
    """The devices of the sensitivity table.

    Parameters
    ----------
    reference : LookupDevice
        The measured (lookup-table) device.
    nl_potentiation, nl_depression : float, 1
        Its fitted nonlinearity labels.
    states, nls, noises : sequences
        Pulse counts (linear, noise-free), symmetric NL labels (at the pulse count of
        the measured depression branch, 20 in Fig. S11a) and cycle-to-cycle σ (linear,
        same pulse count) to scan.
    alternatives : sequence of (str, LookupDevice)
        Further variants of the measured device (e.g. another bridge of the unmeasured
        part of the table), listed with factor ``"measured"``.
    mappings : sequence of str
        Other weight mappings (:data:`analysis.learning.differential_pairs.MAPPINGS`) tried with the measured device, listed with
        factor ``"mapping"``; such rows carry ``overrides = {"mapping": …}``.

    Returns
    -------
    list of dict
        ``factor`` (``measured``/``mapping``/``states``/``nonlinearity``/``noise``), ``setting`` (str),
        ``pulses``, ``nl_potentiation``, ``nl_depression``, ``noise`` and ``device``.
        The ``nonlinearity`` rows include the fitted NLs at 1000 pulses, which isolate
        the nonlinearity from the finite number of states.
    """
    p = int(reference.dep_g.size - 1)  # pulses of one measured branch (20 in Fig. S11a)
    g0, g1 = reference.g_min, reference.g_max

    def row(factor, setting, pulses, nlp, nld, c, dev):
        return {"factor": factor, "setting": setting, "pulses": int(pulses), "nl_potentiation": float(nlp),
                "nl_depression": float(nld), "noise": float(c), "device": dev}

    rows = [row("measured", f"device lookup table ({reference.name})", reference.n_pulses,
                nl_potentiation, nl_depression,
                reference.noise, reference)]
    rows += [row("measured", setting, dev.n_pulses, nl_potentiation, nl_depression, dev.noise, dev)
             for setting, dev in alternatives]
    for mapping in mappings:
        r = row("mapping", f"device lookup table ({reference.name}), {mapping} pairs",
                reference.n_pulses, nl_potentiation, nl_depression, reference.noise, reference)
        r["overrides"] = {"mapping": mapping}
        rows.append(r)
    rows.append(row("nonlinearity", f"fitted NL {nl_potentiation:.2f}/{nl_depression:.2f}, {p} pulses",
                    p, nl_potentiation, nl_depression, 0.0,
                    neurosim_shaped_device(p, nl_potentiation, nl_depression, g0, g1)))
    rows.append(row("nonlinearity", f"fitted NL {nl_potentiation:.2f}/{nl_depression:.2f}, 1000 pulses",
                    1000, nl_potentiation, nl_depression, 0.0,
                    neurosim_shaped_device(1000, nl_potentiation, nl_depression, g0, g1)))
    rows += [row("nonlinearity", f"NL {nl:g}/{nl:g}, {p} pulses", p, nl, nl, 0.0,
                 neurosim_shaped_device(p, nl, nl, g0, g1)) for nl in nls]
    rows += [row("states", f"linear, {s} pulses", s, 0.0, 0.0, 0.0, neurosim_shaped_device(s, 0, 0, g0, g1))
             for s in states]
    rows += [row("noise", f"linear, {p} pulses, sigma {c:g}", p, 0.0, 0.0, c,
                  neurosim_shaped_device(p, 0, 0, g0, g1, noise=c)) for c in noises]
    return rows


def sensitivity_devices_map(rows: list[dict], mapping: str = "push-pull", prefix: str = "sensitivity") -> dict:
    """``name -> (LookupDevice, mapping)`` of the sensitivity *rows*, for :func:`run_seeds`."""
    return {f"{prefix} {i}": (r["device"], r.get("overrides", {}).get("mapping", mapping))
            for i, r in enumerate(rows)}


def sensitivity_records(rows: list[dict], runs: dict, k: int, dataset: str, prefix: str = "sensitivity") -> list[dict]:
    """Records of the sensitivity table from :func:`run_seeds` results (see :func:`run_sensitivity`)."""
    f = seed_summary(runs["float"], k)
    out = []
    for i, r in enumerate(rows):
        d = seed_summary(runs[f"{prefix} {i}"], k)
        rec = {key: v for key, v in r.items() if key not in ("device", "overrides")}
        rec.update(dataset=dataset, accuracy=d["mean"] / 100, accuracy_sd=d["sd"] / 100,
                   float_accuracy=f["mean"] / 100, gap_pp=f["mean"] - d["mean"], seeds=d["seeds"], k=k)
        out.append(rec)
    return out


def run_sensitivity(data: dict, settings: dict, rows: list[dict], seeds=(0,), k: dict | None = None) -> list[dict]:
    """Accuracy of every device of *rows* on every data set, over seeds.

    Parameters
    ----------
    data : dict
        ``name -> (x_train, y_train, x_test, y_test)``.
    settings : dict
        ``name -> TrainSettings``; ``w_max`` is filled per seed from the float baseline.
    rows : list of dict
        From :func:`sensitivity_devices`.
    seeds : sequence of int
    k : dict, optional
        ``name -> epochs averaged at the end`` (default 1: the final epoch).

    Returns
    -------
    list of dict
        One record per (data set, device): the row's fields without the device, plus
        ``dataset``, ``accuracy`` and ``accuracy_sd`` (mean and sd over seeds of the last-k
        mean, 1), ``float_accuracy`` (1), ``gap_pp`` (float − device, percentage points),
        ``seeds`` and ``k``.
    """
    out = []
    for name, arrays in data.items():
        runs = run_seeds(*arrays, settings[name], sensitivity_devices_map(rows, settings[name].mapping),
                         seeds, label=name)
        out += sensitivity_records(rows, runs, (k or {}).get(name, 1), name)
    return out


SENSITIVITY_COLUMNS = ("dataset", "factor", "setting", "pulses", "nl_potentiation", "nl_depression",
                       "noise", "accuracy", "accuracy_sd", "float_accuracy", "gap_pp", "seeds", "k")


def sensitivity_csv(records: list[dict]) -> str:
    """The sensitivity records as CSV text (columns :data:`SENSITIVITY_COLUMNS`)."""
    import csv
    import io
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SENSITIVITY_COLUMNS)
    for rec in records:
        writer.writerow([f"{rec[c]:.6g}" if isinstance(rec[c], float) else rec[c]
                         for c in SENSITIVITY_COLUMNS])
    return buf.getvalue()
