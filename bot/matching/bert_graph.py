"""The ONNX graph of a BERT sentence encoder, built from its weights with standard operators.

onnxruntime fuses these into its attention and layer-norm kernels at session start, so the
graph need not be exported by the framework the model was trained in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRAPH_VERSION = "2"  # bump when the graph changes: cached graphs and embeddings follow it
_OPSET = 17  # LayerNormalization


class _Graph:
    """Nodes and constants of a graph under construction, each output named once."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self._helper, self._numpy = helper, numpy_helper
        self.nodes: list = []
        self.constants: list = []

    def const(self, value: np.ndarray | np.generic | float | list[int]) -> str:
        array = np.asarray(value)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        name = f"c{len(self.constants)}"
        self.constants.append(self._numpy.from_array(array, name))
        return name

    def op(self, kind: str, *inputs: str, **attributes: Any) -> str:
        name = f"n{len(self.nodes)}"
        self.nodes.append(self._helper.make_node(kind, list(inputs), [name], **attributes))
        return name


def build_graph(w: dict[str, np.ndarray], config: dict, pooling: str) -> bytes:
    """A serialised ONNX model: (input_ids, attention_mask) -> pooled sentence vectors."""
    from onnx import TensorProto, helper

    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    g = _Graph()

    def layer_norm(x: str, gain: str, bias: str) -> str:
        return g.op("LayerNormalization", x, g.const(w[gain]), g.const(w[bias]), epsilon=eps)

    def dense(x: str, name: str) -> str:
        return g.op("Add", g.op("MatMul", x, g.const(w[name + "_w"])), g.const(w[name + "_b"]))

    length = g.op("Gather", g.op("Shape", "input_ids"), g.const(np.int64(1)))
    positions = g.op("Range", g.const(np.int64(0)), length, g.const(np.int64(1)))
    x = g.op("Add", g.op("Gather", g.const(w["word"]), "input_ids"), g.const(w["token_type"][0]))
    x = g.op("Add", x, g.op("Gather", g.const(w["position"]), positions))
    x = layer_norm(x, "emb_ln_g", "emb_ln_b")

    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    padding = g.op("Mul", g.op("Sub", g.const(1.0), mask), g.const(-1e9))
    padding = g.op("Unsqueeze", padding, g.const([1, 2]))  # (batch, 1, 1, length)
    head_dim = hidden // heads
    for layer in range(int(config["num_hidden_layers"])):
        p = f"l{layer}."
        qkv = g.op("Reshape", dense(x, p + "qkv"), g.const([0, 0, 3, heads, head_dim]))
        qkv = g.op("Transpose", qkv, perm=[2, 0, 3, 1, 4])  # (3, batch, heads, length, dim)
        q, k, v = (g.op("Gather", qkv, g.const(np.int64(i))) for i in range(3))
        scores = g.op("MatMul", q, g.op("Transpose", k, perm=[0, 1, 3, 2]))
        scores = g.op("Add", g.op("Mul", scores, g.const(1.0 / np.sqrt(head_dim))), padding)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Transpose", context, perm=[0, 2, 1, 3])
        context = g.op("Reshape", context, g.const([0, 0, hidden]))
        x = layer_norm(g.op("Add", x, dense(context, p + "out")), p + "ln1_g", p + "ln1_b")
        up = dense(x, p + "up")
        erf = g.op("Erf", g.op("Mul", up, g.const(1.0 / np.sqrt(2.0))))
        up = g.op("Mul", g.op("Mul", up, g.const(0.5)), g.op("Add", erf, g.const(1.0)))
        x = layer_norm(g.op("Add", x, dense(up, p + "down")), p + "ln2_g", p + "ln2_b")

    if pooling == "cls":
        pooled = g.op("Gather", x, g.const(np.int64(0)), axis=1)
    else:
        summed = g.op(
            "ReduceSum",
            g.op("Mul", x, g.op("Unsqueeze", mask, g.const([2]))),
            g.const([1]),
            keepdims=0,
        )
        pooled = g.op("Div", summed, g.op("ReduceSum", mask, g.const([1]), keepdims=1))
    g.nodes.append(helper.make_node("Identity", [pooled], ["pooled"]))

    int_matrix = [None, None]
    graph = helper.make_graph(
        g.nodes,
        "sentence-encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, int_matrix),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, int_matrix),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [None, hidden])],
        g.constants,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
    return model.SerializeToString()
