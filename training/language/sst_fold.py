"""How the served 9-level sentiment distribution becomes an SST-5 class (0..4): chosen on SST dev.

Three candidate folds, compared by 5 x 5-fold stratified cross-validation *inside* the dev set (so a
fold with more parameters does not win by fitting dev), then the winner is refit on all of dev:
  * "mass": class k scores p[level 2k+1] + half of each neighbouring level; argmax (no parameters);
  * "expected_level_cutpoints": E = sum_l l * p_l, class = number of the 4 cut points below E;
  * "linear": multinomial logistic regression on the 9 probabilities (45 weights + 5 biases, C = 10).
"""
import numpy as np

LEVELS = np.arange(1, 10)


def mass_scores(p):
    """[N,5] of the "mass" fold of distributions p [N,9]."""
    return np.stack([p[:, 2 * k] + 0.5 * (p[:, 2 * k - 1] if k > 0 else 0) + 0.5 * (p[:, 2 * k + 1] if k < 4 else 0) for k in range(5)], 1)


def fit_cutpoints(p, y):
    """Coordinate search of 4 increasing cut points on E, 3 sweeps, step 0.05."""
    E = (p * LEVELS).sum(1)
    cuts = [2.0, 4.0, 6.0, 8.0]
    for _ in range(3):
        for k in range(4):
            lo = cuts[k - 1] + 0.05 if k > 0 else 1.0
            hi = cuts[k + 1] - 0.05 if k < 3 else 9.0
            cands = np.arange(lo, hi, 0.05)
            accs = [(classes_cutpoints(E, cuts[:k] + [c] + cuts[k + 1:]) == y).mean() for c in cands]
            cuts[k] = float(round(cands[int(np.argmax(accs))], 2))
    return cuts


def classes_cutpoints(E, cuts):
    return (E[:, None] > np.array(cuts)[None]).sum(1)


def fit_linear(p, y, c=10.0):
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(C=c, max_iter=5000).fit(p, y)
    return m.coef_.astype(float), m.intercept_.astype(float)


def apply(fold, p):
    """SST classes of distributions p under a fold as written to config.json."""
    if fold["method"] == "mass":
        return mass_scores(p).argmax(1)
    if fold["method"] == "expected_level_cutpoints":
        return classes_cutpoints((p * LEVELS).sum(1), fold["cutpoints"])
    return (p @ np.array(fold["weights"]).T + np.array(fold["bias"])).argmax(1)


def fit(method, p, y):
    if method == "mass":
        return {"method": "mass", "description": "class k (0..4) = p[level 2k+1] + 0.5*p[level 2k] + 0.5*p[level 2k+2]; argmax."}
    if method == "expected_level_cutpoints":
        return {"method": method, "cutpoints": fit_cutpoints(p, y),
                "description": "E = sum_l l * p_l over levels 1..9; class = number of cutpoints strictly below E (0..4). Cut points tuned on SST dev."}
    w, b = fit_linear(p, y)
    return {"method": "linear", "weights": np.round(w, 5).tolist(), "bias": np.round(b, 5).tolist(),
            "description": "class = argmax_k (bias[k] + sum_l weights[k][l-1] * p_l) over levels l = 1..9: multinomial logistic regression (C = 10) fit on SST dev."}


def choose(p, y, seeds=5, folds=5):
    """The fold with the best cross-validated dev accuracy, refit on all of dev; plus every method's CV accuracy."""
    from sklearn.model_selection import StratifiedKFold
    methods = ("mass", "expected_level_cutpoints", "linear")
    acc = {m: [] for m in methods}
    for seed in range(seeds):
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(p, y):
            for m in methods:
                acc[m].append(float((apply(fit(m, p[tr], y[tr]), p[te]) == y[te]).mean()))
    cv = {m: round(float(np.mean(v)), 4) for m, v in acc.items()}
    best = max(methods, key=lambda m: cv[m])
    fold = fit(best, p, y)
    return fold, cv, float((apply(fold, p) == y).mean())
