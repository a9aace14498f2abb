"""Solver stages.

Leaders (R7), villages (R1–R6, R9–R11, R13), households (R3, R5, R10, R12),
dispatch (R8).
"""
