"""Compiled time integrator of the drift–diffusion model (:mod:`analysis.physics.driftdiffusion`).

Everything here is dimensionless in space (x in units of the film thickness L, densities in
units of the vacancy density N0, potential in units of the thermal voltage V_T = kT/q) and in
seconds in time.  One call integrates ONE device through ONE constant-voltage segment; the
Python layer loops over the devices of a batch.

Unknowns of the Newton iteration per cell i: ``u_i = ln c_i`` (free vacancies) and the cell
potential ``phi_i``.  The trap populations ``n_ki`` are eliminated cell by cell: over a step of
length h the free density is taken linear in time, so the linear trap equation
``dn/dt = gamma c − r n`` has the exact solution

    n_new = n e^{−rh} + gamma h [phi1(rh) − phi2(rh)] c_old + gamma h phi2(rh) c_new,
    phi1(x) = (1 − e^{−x})/x,   phi2(x) = (x − 1 + e^{−x})/x²,

(exponential integrator, second order in c, exact in the release; every coefficient is
>= 0, so trapped densities never become negative).  The *total* density ``T = c + Σ_k n_k``
obeys the conservative finite-volume equation, discretised in time by variable-step BDF2
(backward Euler on the first step of a segment):

    w_i (a0 T_i + a1 T_i^n + a2 T_i^{n-1}) + h (F_{i+1/2} − F_{i−1/2}) = 0,

with Scharfetter–Gummel fluxes ``F = (D/d)[B(Δφ) c_left − B(−Δφ) c_right]`` (B(z) = z/(e^z−1))
at interior faces and zero flux at both contacts, and Poisson's equation

    λ² [(φ_{i+1} − φ_i)/d_{i+1/2} − (φ_i − φ_{i−1})/d_{i−1/2}] + w_i (T_i − 1) = 0,

φ = 0 at the BCCP contact (x = 0) and φ = v at the Al contact (x = 1).  The Jacobian is
block-tridiagonal (2 × 2 blocks) and solved by the block Thomas algorithm in O(N).
The fluxes telescope, so Σ_i w_i T_i changes only by the Newton residual; after each accepted
step that residual (≈ 1e-14 relative) is removed by scaling the free density by a factor
1 − O(1e-14), which keeps the number of ions constant to round-off.

Step sizes are controlled by the difference between the BDF2 solution and the quadratic
extrapolation of the last three states (scaled by 2/11, the ratio of the error constants),
RMS over cells, for the trapped density Σ_k n_k (which holds the memory) against
atol + rtol |·| and for the free density c against a tolerance :data:`LOOSE_FREE` times
looser (the free vacancies relax within microseconds after every voltage step; resolving
that transient tightly changes no read, see the convergence tests); the step ratio is capped
at 2 (variable-step BDF2 is zero-stable below 1 + √2).  States at output
times inside a step are interpolated (dense output, :func:`_interpolate`), so the step
sequence — and the state at the end of a segment — does not depend on the output times.

The kernels are compiled with numba's numpy error model: a singular pivot or an overflow gives
inf/NaN, which the Newton loop treats as a failed step (rejected, step quartered) instead of
raising.

``flux_mode`` is a test-only hook: 0 Scharfetter–Gummel (the model), 1 a plain central
difference of the drift term, 2 Scharfetter–Gummel with the sign of the drift reversed.  The
tests use 1 and 2 to show that the equilibrium check detects a broken flux.
"""
from __future__ import annotations

import math

import numpy as np

try:                                  # numba is a pinned dependency; without it the same
    from numba import njit            # code runs as plain Python (correct, but ~100x slower)
except ImportError:                   # pragma: no cover
    def njit(*args, **kwargs):
        if args and callable(args[0]):
            return args[0]
        return lambda f: f

LOOSE_FREE = 30.0
"""Factor by which the step control is looser on the free density than on the trapped one."""

STATUS_OK = 0
STATUS_STEP_TOO_SMALL = 1
STATUS_NONFINITE = 2

# counters in the stats array
ST_STEPS, ST_REJECTED, ST_NEWTON, ST_FAILED_NEWTON = 0, 1, 2, 3


@njit(cache=True, nogil=True, error_model="numpy")
def bern(z):
    """Bernoulli function B(z) = z/(e^z − 1), stable for all z."""
    if abs(z) < 1e-4:
        return 1.0 - 0.5 * z + z * z / 12.0
    return z / math.expm1(z)


@njit(cache=True, nogil=True, error_model="numpy")
def dbern(z):
    """dB/dz = B(z)(1 − B(z) − z)/z, stable for all z."""
    if abs(z) < 1e-3:
        return -0.5 + z / 6.0 - z * z * z / 180.0
    b = bern(z)
    return b * (1.0 - b - z) / z


@njit(cache=True, nogil=True, error_model="numpy")
def _flux(mode, g, dphi, cl, cr):
    """Flux F and its derivatives dF/dc_left, dF/dc_right, dF/d(Δφ) at one face."""
    if mode == 0:
        bp = bern(dphi)
        bm = bp + dphi                # B(−z) = B(z) + z
        if abs(dphi) < 1e-3:
            dbp = -0.5 + dphi / 6.0 - dphi * dphi * dphi / 180.0
            dbm = -0.5 - dphi / 6.0 + dphi * dphi * dphi / 180.0
        else:
            dbp = bp * (1.0 - bp - dphi) / dphi        # B'(z) = B(z)(1 − B(z) − z)/z
            dbm = -bm * (1.0 - bm + dphi) / dphi       # B'(−z)
        f = g * (bp * cl - bm * cr)
        return f, g * bp, -g * bm, g * (dbp * cl + dbm * cr)
    elif mode == 1:                   # central-difference drift (broken on purpose)
        f = g * ((cl - cr) - 0.5 * dphi * (cl + cr))
        return f, g * (1.0 - 0.5 * dphi), g * (-1.0 - 0.5 * dphi), -0.5 * g * (cl + cr)
    else:                             # drift with the wrong sign (broken on purpose)
        bp = bern(-dphi)
        bm = bern(dphi)
        f = g * (bp * cl - bm * cr)
        return f, g * bp, -g * bm, -g * (dbern(-dphi) * cl + dbern(dphi) * cr)


@njit(cache=True, nogil=True, error_model="numpy")
def poisson_potential(rho, w, dist, lam2, v, phi):
    """Solve λ² φ'' = −ρ (FV form) for φ with φ(0) = 0, φ(1) = v; writes phi, returns nothing."""
    n = rho.size
    # tridiagonal: lower a_i phi_{i-1} + b_i phi_i + c_i phi_{i+1} = d_i
    cp = np.empty(n)
    dp = np.empty(n)
    for i in range(n):
        gl = lam2 / dist[i]
        gr = lam2 / dist[i + 1]
        b = -(gl + gr)
        d = -w[i] * rho[i]
        a = gl if i > 0 else 0.0
        c = gr if i < n - 1 else 0.0
        if i == n - 1:
            d -= gr * v
        if i == 0:
            cp[i] = c / b
            dp[i] = d / b
        else:
            den = b - a * cp[i - 1]
            cp[i] = c / den
            dp[i] = (d - a * dp[i - 1]) / den
    phi[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        phi[i] = dp[i] - cp[i] * phi[i + 1]


@njit(cache=True, nogil=True, error_model="numpy")
def _block_solve(aa, bb, cc, rr, x):
    """Solve the block-tridiagonal system A_i x_{i-1} + B_i x_i + C_i x_{i+1} = r_i (2×2 blocks).

    aa, bb, cc: (N, 2, 2); rr: (N, 2); x: (N, 2) output.  bb is overwritten with the inverses
    of the eliminated diagonal blocks and rr with the eliminated right-hand side.
    """
    n = bb.shape[0]
    # first block: invert in place
    p00, p01, p10, p11 = bb[0, 0, 0], bb[0, 0, 1], bb[0, 1, 0], bb[0, 1, 1]
    rd = 1.0 / (p00 * p11 - p01 * p10)
    i00, i01, i10, i11 = p11 * rd, -p01 * rd, -p10 * rd, p00 * rd
    bb[0, 0, 0], bb[0, 0, 1], bb[0, 1, 0], bb[0, 1, 1] = i00, i01, i10, i11
    for i in range(1, n):
        # L = A_i inv(B'_{i-1});  B'_i = B_i − L C_{i−1};  r'_i = r_i − L r'_{i−1}
        a00, a01, a10, a11 = aa[i, 0, 0], aa[i, 0, 1], aa[i, 1, 0], aa[i, 1, 1]
        l00 = a00 * i00 + a01 * i10
        l01 = a00 * i01 + a01 * i11
        l10 = a10 * i00 + a11 * i10
        l11 = a10 * i01 + a11 * i11
        c00, c01, c10, c11 = cc[i - 1, 0, 0], cc[i - 1, 0, 1], cc[i - 1, 1, 0], cc[i - 1, 1, 1]
        p00 = bb[i, 0, 0] - (l00 * c00 + l01 * c10)
        p01 = bb[i, 0, 1] - (l00 * c01 + l01 * c11)
        p10 = bb[i, 1, 0] - (l10 * c00 + l11 * c10)
        p11 = bb[i, 1, 1] - (l10 * c01 + l11 * c11)
        r0, r1 = rr[i - 1, 0], rr[i - 1, 1]
        rr[i, 0] -= l00 * r0 + l01 * r1
        rr[i, 1] -= l10 * r0 + l11 * r1
        rd = 1.0 / (p00 * p11 - p01 * p10)
        i00, i01, i10, i11 = p11 * rd, -p01 * rd, -p10 * rd, p00 * rd
        bb[i, 0, 0], bb[i, 0, 1], bb[i, 1, 0], bb[i, 1, 1] = i00, i01, i10, i11
    x0 = 0.0
    x1 = 0.0
    for i in range(n - 1, -1, -1):
        r0, r1 = rr[i, 0], rr[i, 1]
        if i < n - 1:
            r0 -= cc[i, 0, 0] * x0 + cc[i, 0, 1] * x1
            r1 -= cc[i, 1, 0] * x0 + cc[i, 1, 1] * x1
        x0 = bb[i, 0, 0] * r0 + bb[i, 0, 1] * r1
        x1 = bb[i, 1, 0] * r0 + bb[i, 1, 1] * r1
        x[i, 0] = x0
        x[i, 1] = x1


@njit(cache=True, nogil=True, error_model="numpy")
def _phi12(x):
    """phi1(x) = (1 − e^{−x})/x and phi2(x) = (x − 1 + e^{−x})/x², stable for x >= 0."""
    if x < 1e-3:
        return 1.0 - 0.5 * x + x * x / 6.0, 0.5 - x / 6.0 + x * x / 24.0
    em = -math.expm1(-x)              # 1 − e^{−x}
    return em / x, (x - em) / (x * x)


@njit(cache=True, nogil=True, error_model="numpy")
def _interpolate(tau, h, h_before, n_hist, u_a, u_b, u_c, nn_b, gam, rel, w, q0, oc, on):
    """The state at time *tau* into the step of length *h* that just ended (dense output).

    ln c is interpolated by the quadratic through the last three accepted states (linear after
    the first step); the traps follow from the exact exponential update from the start of the
    step with c linear over [0, tau]; the free density is then scaled so that the number of
    ions is the conserved one (*q0*).  So c > 0, n ≥ 0 and Σ ions = q0 as for a step."""
    N = u_c.size
    K = gam.size
    if n_hist >= 2:
        ta, tb, tc = -h_before, 0.0, h
        la = (tau - tb) * (tau - tc) / ((ta - tb) * (ta - tc))
        lb = (tau - ta) * (tau - tc) / ((tb - ta) * (tb - tc))
        lc = (tau - ta) * (tau - tb) / ((tc - ta) * (tc - tb))
    else:
        la = 0.0
        lc = tau / h
        lb = 1.0 - lc
    for i in range(N):
        oc[i] = math.exp(la * u_a[i] + lb * u_b[i] + lc * u_c[i])
    # traps n(tau) = n_b e^{-r tau} + gam tau [(phi1 - phi2) c_b + phi2 c(tau)]
    cb = 1.0
    for k in range(K):
        p1, p2 = _phi12(rel[k] * tau)
        cb += gam[k] * tau * p2
    q = 0.0
    qc = 0.0
    for i in range(N):
        ci = math.exp(u_b[i])
        tot = oc[i] * cb
        for k in range(K):
            p1, p2 = _phi12(rel[k] * tau)
            tot += nn_b[k, i] * math.exp(-rel[k] * tau) + gam[k] * tau * (p1 - p2) * ci
        q += w[i] * tot
        qc += w[i] * oc[i] * cb
    scale = 1.0 - (q - q0) / qc
    for i in range(N):
        oc[i] *= scale
    for k in range(K):
        p1, p2 = _phi12(rel[k] * tau)
        ex = math.exp(-rel[k] * tau)
        for i in range(N):
            on[k, i] = nn_b[k, i] * ex + gam[k] * tau * ((p1 - p2) * math.exp(u_b[i]) + p2 * oc[i])


@njit(cache=True, nogil=True, error_model="numpy")
def integrate(c_init, n_init, v, duration, out_t, w, xc, dist, lam2, dn, gam, rel,
              rtol, atol, h0, flux_mode, out_c, out_n, stats):
    """Integrate one device through one constant-voltage segment.

    Parameters
    ----------
    c_init : (N,) free vacancy density [N0], > 0.
    n_init : (K, N) trapped densities per class [N0], >= 0.
    v : applied voltage on the Al contact [V_T].
    duration : segment length [s], > 0.
    out_t : sorted output times in [0, duration] [s]; states between steps are interpolated
        (:func:`_interpolate`), so the steps do not depend on the output times.
    w, xc : (N,) cell widths and centres [L]; dist : (N+1,) centre distances, wall to first
        and last centre included [L].
    lam2 : (λ_D/L)²; dn : D/L² [1/s]; gam, rel : (K,) capture and release rates [1/s].
    rtol, atol : error tolerances of the step control (atol in N0).
    h0 : first step [s].
    flux_mode : 0 Scharfetter–Gummel; 1, 2 broken on purpose (tests only).
    out_c, out_n : (T, N), (T, K, N) outputs.
    stats : int64 (4,) counters, incremented.

    Returns
    -------
    int
        STATUS_OK, or an error status.
    """
    N = c_init.size
    K = gam.size
    # ------------------------------------------------------------------ state and history
    c = c_init.copy()
    u = np.log(c)
    nn = n_init.copy()
    tot = c.copy()
    for k in range(K):
        for i in range(N):
            tot[i] += nn[k, i]
    q0 = 0.0
    for i in range(N):
        q0 += w[i] * tot[i]
    tot_m1 = tot.copy()           # T at the previous step (for BDF2)
    tot_m2 = tot.copy()
    c_m1 = c.copy()
    c_m2 = c.copy()
    phi = np.empty(N)
    u_m1 = u.copy()
    u_m2 = u.copy()
    nn_old = nn.copy()
    phi_m1 = np.empty(N)
    rho = np.empty(N)
    for i in range(N):
        rho[i] = tot[i] - 1.0
    poisson_potential(rho, w, dist, lam2, v, phi)
    # work arrays
    aa = np.zeros((N, 2, 2))
    bb = np.zeros((N, 2, 2))
    cc = np.zeros((N, 2, 2))
    rr = np.zeros((N, 2))
    dx = np.zeros((N, 2))
    beta = np.empty(K)
    bk = np.empty((K, N))
    bsum = np.empty(N)
    u_try = np.empty(N)
    phi_try = np.empty(N)
    c_new = np.empty(N)
    tot_new = np.empty(N)
    ff = np.zeros(N + 1)
    fl = np.zeros(N + 1)
    fr = np.zeros(N + 1)
    fd = np.zeros(N + 1)
    # ------------------------------------------------------------------ outputs at t = 0
    n_out = out_t.size
    j_out = 0
    while j_out < n_out and out_t[j_out] <= 0.0:
        for i in range(N):
            out_c[j_out, i] = c[i]
        for k in range(K):
            for i in range(N):
                out_n[j_out, k, i] = nn[k, i]
        j_out += 1
    t = 0.0
    h = min(h0, duration)
    h_prev = h
    h_prev2 = 0.0
    n_hist = 0                     # accepted steps in this segment (0: BE next)
    tiny = 1e-14 * duration
    h_nat = h                      # step the error control asks for (before clipping)
    while t < duration - tiny:
        h = h_nat
        if n_hist >= 1 and h > 2.0 * h_prev:
            h = 2.0 * h_prev           # variable-step BDF2 is zero-stable for ratios < 2.414
        # land exactly on the end of the segment (outputs are interpolated, so the steps do
        # not depend on the output times)
        if t + 1.1 * h >= duration - tiny:
            h = duration - t
            landing = True
        else:
            landing = False
        if h <= 1e-8 * h0 or h <= 0.0:
            return STATUS_STEP_TOO_SMALL
        # ---------------------------------------------------------- BDF coefficients
        if n_hist == 0:
            a0, a1, a2 = 1.0, -1.0, 0.0
        else:
            om = h / h_prev
            a0 = (1.0 + 2.0 * om) / (1.0 + om)
            a1 = -(1.0 + om)
            a2 = om * om / (1.0 + om)
        # ---------------------------------------------------------- trap elimination
        for i in range(N):
            bsum[i] = 0.0
        cb = 1.0
        for k in range(K):
            p1, p2 = _phi12(rel[k] * h)
            ex = math.exp(-rel[k] * h)
            beta[k] = gam[k] * h * p2
            cb += beta[k]
            coef = gam[k] * h * (p1 - p2)
            for i in range(N):
                bk[k, i] = nn[k, i] * ex + coef * c[i]
                bsum[i] += bk[k, i]
        # ---------------------------------------------------------- Newton
        if n_hist >= 1:
            om = h / h_prev
            for i in range(N):
                u_try[i] = u[i] + om * (u[i] - u_m1[i])
                phi_try[i] = phi[i] + om * (phi[i] - phi_m1[i])
        else:
            for i in range(N):
                u_try[i] = u[i]
                phi_try[i] = phi[i]
        converged = False
        for it in range(14):
            stats[ST_NEWTON] += 1
            for i in range(N):
                c_new[i] = math.exp(u_try[i])
            # fluxes at interior faces j = 1..N-1 (between cells j-1 and j)
            for j in range(1, N):
                g = dn / dist[j]
                f, dl, dr, dd = _flux(flux_mode, g, phi_try[j] - phi_try[j - 1],
                                      c_new[j - 1], c_new[j])
                ff[j] = f
                fl[j] = dl * c_new[j - 1]      # dF/du_left
                fr[j] = dr * c_new[j]          # dF/du_right
                fd[j] = dd                     # dF/dΔφ
            bad = False
            for i in range(N):
                ti = c_new[i] * cb + bsum[i]
                tot_new[i] = ti
                # transport residual and Jacobian (row 0), Poisson (row 1)
                r0 = w[i] * (a0 * ti + a1 * tot[i] + a2 * tot_m1[i]) + h * (ff[i + 1] - ff[i])
                gl = lam2 / dist[i]
                gr = lam2 / dist[i + 1]
                phl = phi_try[i - 1] if i > 0 else 0.0
                phr = phi_try[i + 1] if i < N - 1 else v
                r1 = gr * (phr - phi_try[i]) - gl * (phi_try[i] - phl) + w[i] * (ti - 1.0)
                rr[i, 0] = -r0
                rr[i, 1] = -r1
                # d r0 / d(u_{i-1}, u_i, u_{i+1}) and d(phi)
                bb[i, 0, 0] = w[i] * a0 * cb * c_new[i] + h * (fl[i + 1] - fr[i])
                bb[i, 0, 1] = h * (-fd[i + 1] - fd[i])
                bb[i, 1, 0] = w[i] * cb * c_new[i]
                bb[i, 1, 1] = -(gl + gr)
                if i > 0:
                    aa[i, 0, 0] = -h * fl[i]
                    aa[i, 0, 1] = h * fd[i]
                    aa[i, 1, 0] = 0.0
                    aa[i, 1, 1] = gl
                if i < N - 1:
                    cc[i, 0, 0] = h * fr[i + 1]
                    cc[i, 0, 1] = h * fd[i + 1]
                    cc[i, 1, 0] = 0.0
                    cc[i, 1, 1] = gr
                if not (math.isfinite(r0) and math.isfinite(r1)):
                    bad = True
            if bad:
                break
            _block_solve(aa, bb, cc, rr, dx)
            du_max = 0.0
            dp_max = 0.0
            conv_u = 0.0
            for i in range(N):
                a = abs(dx[i, 0])
                if not math.isfinite(a) or not math.isfinite(dx[i, 1]):
                    bad = True
                    break
                if a > du_max:
                    du_max = a
                b = abs(dx[i, 1])
                if b > dp_max:
                    dp_max = b
                cu = a * c_new[i] / (c_new[i] + atol)
                if cu > conv_u:
                    conv_u = cu
            if bad:
                break
            lam_d = 1.0
            if du_max > 2.0:
                lam_d = 2.0 / du_max
            if dp_max * lam_d > 4.0:
                lam_d = 4.0 / dp_max
            for i in range(N):
                u_try[i] += lam_d * dx[i, 0]
                phi_try[i] += lam_d * dx[i, 1]
            if lam_d == 1.0 and conv_u < 1e-7 and dp_max < 1e-6:
                # quadratic convergence: the error left after this correction is ~ its square
                converged = True
                break
        if not converged:
            stats[ST_FAILED_NEWTON] += 1
            stats[ST_REJECTED] += 1
            h_nat = h * 0.25
            continue
        for i in range(N):
            c_new[i] = math.exp(u_try[i])
        # ---------------------------------------------------------- error estimate
        err = 0.0
        if n_hist >= 1:
            if n_hist >= 2:
                # quadratic extrapolation through (t-h_prev-h_prev2, t-h_prev, t)
                t0, t1, t2 = -(h_prev + h_prev2), -h_prev, 0.0
                l0 = (h - t1) * (h - t2) / ((t0 - t1) * (t0 - t2))
                l1 = (h - t0) * (h - t2) / ((t1 - t0) * (t1 - t2))
                l2 = (h - t0) * (h - t1) / ((t2 - t0) * (t2 - t1))
                fac = 2.0 / 11.0
            else:
                l0 = 0.0
                l1 = -h / h_prev
                l2 = 1.0 + h / h_prev
                fac = 0.5
            s = 0.0
            for i in range(N):
                cp = l0 * c_m2[i] + l1 * c_m1[i] + l2 * c[i]
                e = fac * (c_new[i] - cp) / (LOOSE_FREE * (atol + rtol * max(c_new[i], c[i])))
                s += e * e
                # the trapped density holds the memory: it is controlled at the tolerance
                tn = c_new[i] * (cb - 1.0) + bsum[i]
                tp = (l0 * (tot_m2[i] - c_m2[i]) + l1 * (tot_m1[i] - c_m1[i])
                      + l2 * (tot[i] - c[i]))
                e = fac * (tn - tp) / (atol + rtol * max(tn, tot[i] - c[i]))
                s += e * e
            err = math.sqrt(s / (2 * N))
        if err > 1.0:
            stats[ST_REJECTED] += 1
            fac_h = 0.9 * err ** (-1.0 / 3.0)
            h_nat = h * max(0.2, fac_h)
            continue
        # ---------------------------------------------------------- accept
        stats[ST_STEPS] += 1
        # conservation: remove the Newton residual of the ion count
        q = 0.0
        qc = 0.0
        for i in range(N):
            q += w[i] * (c_new[i] * cb + bsum[i])
            qc += w[i] * c_new[i] * cb
        scale = 1.0 - (q - q0) / qc
        for i in range(N):
            c_new[i] *= scale
        for k in range(K):
            for i in range(N):
                nn_old[k, i] = nn[k, i]
        for i in range(N):
            c_m2[i] = c_m1[i]
            c_m1[i] = c[i]
            tot_m2[i] = tot_m1[i]
            tot_m1[i] = tot[i]
            c[i] = c_new[i]
            u_m2[i] = u_m1[i]
            u_m1[i] = u[i]
            u[i] = math.log(c_new[i])
            phi_m1[i] = phi[i]
            phi[i] = phi_try[i]
            tot[i] = c_new[i]
        for k in range(K):
            for i in range(N):
                nn[k, i] = beta[k] * c_new[i] + bk[k, i]
                tot[i] += nn[k, i]
        t_old = t
        t = duration if landing else t + h
        h_prev2 = h_prev
        h_prev = h
        n_hist += 1
        # ---------------------------------------------------------- dense output
        while j_out < n_out and out_t[j_out] <= t + tiny:
            to = out_t[j_out]
            if to >= t - tiny:          # at the end of the step: the state itself
                for i in range(N):
                    out_c[j_out, i] = c[i]
                for k in range(K):
                    for i in range(N):
                        out_n[j_out, k, i] = nn[k, i]
            else:
                _interpolate(to - t_old, h, h_prev2, n_hist, u_m2, u_m1, u, nn_old, gam, rel, w,
                             q0, out_c[j_out], out_n[j_out])
            j_out += 1
        # ---------------------------------------------------------- next step size
        if n_hist >= 2 and err > 0.0:
            grow = 0.9 * err ** (-1.0 / 3.0)
        else:
            grow = 2.0
        grow = min(2.0, max(0.2, grow))
        h_nat = h * grow
    while j_out < n_out:                # outputs at the very end (round-off of the last time)
        for i in range(N):
            out_c[j_out, i] = c[i]
        for k in range(K):
            for i in range(N):
                out_n[j_out, k, i] = nn[k, i]
        j_out += 1
    return STATUS_OK


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_batch(c_init, n_init, v, duration, w, xc, dist, lam2, dn, gam, rel,
                    rtol, atol, h0, flux_mode, out_c, out_n, stats, status):
    """:func:`integrate` for a batch of devices, each to the end of its own segment.

    c_init (B, N), n_init (B, K, N), v and duration (B,); out_c (B, N), out_n (B, K, N);
    status (B,) int64.
    """
    nb = c_init.shape[0]
    N = c_init.shape[1]
    K = n_init.shape[1]
    oc = np.empty((1, N))
    on = np.empty((1, K, N))
    ot = np.empty(1)
    for b in range(nb):
        if duration[b] <= 0.0:
            for i in range(N):
                out_c[b, i] = c_init[b, i]
            for k in range(K):
                for i in range(N):
                    out_n[b, k, i] = n_init[b, k, i]
            status[b] = STATUS_OK
            continue
        ot[0] = duration[b]
        status[b] = integrate(c_init[b], n_init[b], v[b], duration[b], ot, w, xc, dist, lam2,
                              dn, gam, rel, rtol, atol, h0, flux_mode, oc, on, stats)
        for i in range(N):
            out_c[b, i] = oc[0, i]
        for k in range(K):
            for i in range(N):
                out_n[b, k, i] = on[0, k, i]
