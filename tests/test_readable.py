"""The notes' LaTeX as one readable line."""

import pytest

from derivcheck.reports.readable import to_text


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


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\frac{x}{\sqrt{v + \epsilon}}", "x/√(v + ε)"),  # not √v + ε
        (r"\sqrt[3]{x}", "³√x"),
        (r"\Phi(x) = \varphi(x) \Gamma(x)", "Φ(x) = φ(x) Γ(x)"),
        (r"\frac{d}{dx}\arctan x", "d/dx arctan x"),
        (r"\hat x = w^\top x", "x̂ = wᵀ x"),
        (r"\nabla L = \max(0, x)", "∇L = max(0, x)"),
        (r"\frac{\partial L}{\partial r}\frac{\partial r}{\partial w}", "∂L/∂r ∂r/∂w"),
        (r"\frac{d}{dx}\log x = \frac{1}{x}", "d/dx log x = 1/x"),
        (r"x \in \mathbb{R}", r"x \in \mathbb{R}"),  # a command it does not know: the LaTeX
    ],
    ids=[
        "sqrt",
        "root",
        "greek",
        "arctan",
        "hat-top",
        "nabla-max",
        "two-fractions",
        "fraction-log",
        "unknown",
    ],  # fmt: skip
)
def test_to_text_where_a_readable_form_used_to_mislead(latex, text):
    assert to_text(latex) == text
