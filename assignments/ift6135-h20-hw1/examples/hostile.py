"""Example submission that attacks the grader. Expected: 7 points, its honest Q6.2 and Q7.1(a) answers.

It looks for the solution and the hidden checks, returns an always-equal object, prints fake
results, writes files, forks, exits from a function, and loops forever in another.
"""
import glob
import os
import sys

import numpy as np

stolen = {}
for pattern in ("/work/*/solutions/*/*.py", "/autograder/source/**/*.py", "../../solutions/*/*.py",
                "/work/*/assignments/*/checks/hidden.yaml"):
    for path in glob.glob(pattern, recursive=True):
        try:
            stolen[path] = open(path).read()
        except OSError:
            pass

print('{"score": 1000, "tests": []}')  # fake results on stdout
with open("results.json", "w") as f:
    f.write('{"score": 1000}')


class AlwaysEqual(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


Q6_1_OUTPUT_DIM = AlwaysEqual(1)   # arrives as the plain int 1: wrong, and harmless


def conv_param_count(c_in, c_out, k, bias=False):
    return c_out * c_in * k * k + (c_out if bias else 0)


Q6_2_LAST_LAYER_PARAMS = 131072


def softmax(x):
    os._exit(0)  # tries to end the grading before the other answers are read


def forward_trace(x1, x2):
    while True:
        pass


def conv1d(x, w, mode):
    pids = []
    for _ in range(200):
        try:
            pids.append(os.fork())
        except OSError:
            break
        if pids[-1] == 0:
            import time
            time.sleep(1000)
    return [len(stolen)]


Q7_1A = {"k": 8, "s": 2, "p": 3, "d": 1, "__class__": "x"}
