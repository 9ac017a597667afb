"""Not lines of the notes: the gradients of pp.4–5 as a user writes them next, in matrix form
(W is K × D) and for a batch of N examples with the mean loss; proved for all K, D and N."""

from sympy import Derivative, Sum

from derivcheck.dsl import derivation, for_all, step

from .index_classes import L, N, W, b, batch_context, context, d, m, n, x, y, yhat

ONE_EXAMPLE = context(label_sum=True, weights=True)
BATCH = batch_context()  # L = (1/N) Σ_n L_n, z_n = W x_n + b

DERIVATION = derivation(
    "softmax-matrix-gradients",
    "The softmax cross-entropy gradients in matrix form, for one example and for a batch",
    "added after pp.4–5, not lines of the notes",
    for_all=ONE_EXAMPLE,
    steps=[
        step(
            r"\frac{\partial L}{\partial W} = (\hat{y} - y) x^T",
            (Derivative(L, W[m, d]), (yhat[m] - y[m]) * x[d]),
            note="Entry (m, d) of the K × D gradient; y sums to 1.",
        ),
        step(
            r"\frac{\partial L}{\partial b} = \hat{y} - y",
            (Derivative(L, b[m]), yhat[m] - y[m]),
        ),
        step(
            r"\frac{\partial L}{\partial W} = \frac{1}{N} \sum_n (\hat{y}_n - y_n) x_n^T",
            for_all(
                Derivative(L, W[m, d]),
                Sum((yhat[n, m] - y[n, m]) * x[n, d], (n, 1, N)) / N,
                BATCH,
            ),
            note="L is the mean of the N examples' cross-entropies; entry (m, d).",
        ),
        step(
            r"\frac{\partial L}{\partial b} = \frac{1}{N} \sum_n (\hat{y}_n - y_n)",
            for_all(Derivative(L, b[m]), Sum(yhat[n, m] - y[n, m], (n, 1, N)) / N, BATCH),
        ),
    ],
)
