"""Example submission: a syntax error. Expected 0, status error, and a message with the line."""
import numpy as np

def softmax(x)
    return np.exp(x) / np.exp(x).sum()

Q6_1_OUTPUT_DIM = 73728
