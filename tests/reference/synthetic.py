"""Reference values for the synthetic population model (study::synthetic).

Independent of the Rust code: the Likert moments are computed from the cell
probabilities of the bivariate normal, P(Y1 > a, Y2 > b) by one-dimensional
integration of the conditional distribution with scipy.integrate.quad
(the Rust code uses Plackett's identity instead); the structural quantities
(R^2 = b'Phi b, rescaling, Phi^-1 b) with numpy.linalg from the published
Table 4 read from the claims file.

Writes tests/fixtures/synthetic/population_model.json.
"""
import json
import os

import numpy as np
from scipy import integrate, stats

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLAIMS = os.path.join(ROOT, "notebooks", "data", "published", "contracting_model.json")
OUT = os.path.join(ROOT, "tests", "fixtures", "synthetic", "population_model.json")


def upper_orthant(a, b, r):
    """P(Y1 > a, Y2 > b) for standard bivariate normal with correlation r."""
    s = np.sqrt(1.0 - r * r)
    f = lambda x: stats.norm.pdf(x) * stats.norm.sf((b - r * x) / s)
    val, _ = integrate.quad(f, a, np.inf, epsabs=1e-14, epsrel=1e-13, limit=200)
    return val


def likert_moments(tau, m1, m2, r):
    """Mean, variance of each item and their covariance, correlation."""
    cuts = [-np.inf] + list(tau) + [np.inf]
    # P(X1 = k) from the marginal
    def marg(m):
        return np.array([stats.norm.cdf(cuts[k + 1] - m) - stats.norm.cdf(cuts[k] - m) for k in range(5)])
    p1, p2 = marg(m1), marg(m2)
    vals = np.arange(1, 6)
    e1, e2 = vals @ p1, vals @ p2
    v1 = (vals**2) @ p1 - e1**2
    v2 = (vals**2) @ p2 - e2**2
    # E[X1 X2] with X = 1 + sum_k 1{Y > tau_k}
    exy = e1 + e2 - 1.0
    for tk in tau:
        for tl in tau:
            exy += upper_orthant(tk - m1, tl - m2, r)
    cov = exy - e1 * e2
    return {"mean1": e1, "var1": v1, "mean2": e2, "var2": v2, "cov": cov, "corr": cov / np.sqrt(v1 * v2)}


def main():
    claims = json.load(open(CLAIMS))
    dims = []
    for e in claims["codebook"]["entries"]:
        if e["dimension"] not in dims:
            dims.append(e["dimension"])
    beta = np.array([float(next(r["beta"] for r in claims["paths"]["rows"] if r["variable"] == d)) for d in dims])
    models = []
    for rho in (0.0, 0.3, 0.5):
        phi = np.full((10, 10), rho) + (1 - rho) * np.eye(10)
        r2_pub = float(beta @ phi @ beta)
        scale = np.sqrt(0.6 / r2_pub)
        gamma_c = np.linalg.solve(phi, beta)
        models.append({
            "factor_correlation": rho,
            "published_beta_r_squared": r2_pub,
            "rescaled_scale": float(scale),
            "rescaled_paths": list(scale * beta),
            "rescaled_outcome_correlations": list(phi @ (scale * beta)),
            "as_correlations_paths": list(gamma_c),
            "as_correlations_r_squared": float(beta @ gamma_c),
        })
    tau = [-2.0, -1.0, 0.0, 1.0]
    cases = []
    for m1, m2, r in [(0.0, 0.0, 0.49), (0.4, -0.4, 0.147), (0.222, 0.0, 0.2364), (-0.311, 0.311, -0.3), (0.0, 0.0, 0.0), (0.1, 0.2, 0.81)]:
        c = likert_moments(tau, m1, m2, r)
        cases.append({"thresholds": tau, "mean_shift1": m1, "mean_shift2": m2, "r": r, **{k: float(v) for k, v in c.items()}})
    json.dump({"tool": f"scipy {__import__('scipy').__version__}, numpy {np.__version__}", "dimensions": dims,
               "beta": list(beta), "models": models, "likert_cases": cases}, open(OUT, "w"), indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
