"""The derivations of the softmax notes, in the order the notes give them."""

from . import (
    bce_gradients,
    sigmoid_derivative,
    softmax_ce_gradients,
    softmax_cross_entropy,
    softmax_jacobian,
    softmax_matrix_gradients,
    softmax_to_sigmoid,
)

ALL = tuple(
    module.DERIVATION
    for module in (
        softmax_cross_entropy,
        softmax_to_sigmoid,
        sigmoid_derivative,
        bce_gradients,
        softmax_jacobian,
        softmax_ce_gradients,
        softmax_matrix_gradients,
    )
)
