"""The notes' LaTeX as one readable line."""

import pytest

from checker.reports.readable import to_text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (
            r"\hat{y}_i = \sigma(z_i) = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            "ŷᵢ = σ(zᵢ) = e^(zᵢ)/(Σⱼ e^(zⱼ))",
        ),
        (r"L = - \sum_i y_i \log(\hat{y}_i)", "L = − Σᵢ yᵢ log(ŷᵢ)"),
        (
            r"\frac{\delta L}{\delta w} = \frac{dL}{dz} \cdot \frac{dz}{dw} = (\hat{y} - y)x",
            "δL/δw = dL/dz · dz/dw = (ŷ − y)x",
        ),
        (
            r"\frac{e^x}{1 + e^x} \circ \frac{e^{-x}}{e^{-x}} \Rightarrow \frac{1}{1 + e^{-x}}",
            "eˣ/(1 + eˣ) ∘ e⁻ˣ/e⁻ˣ ⇒ 1/(1 + e⁻ˣ)",
        ),
    ],
    ids=["softmax", "cross-entropy", "dL/dw", "sigmoid-rewrite"],
)
def test_to_text(latex, text):
    assert to_text(latex) == text
