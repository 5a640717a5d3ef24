import math

import pytest

from analysis.physics.dimensionality import N_VALUES, formula, n_numeric, parse_n


@pytest.mark.parametrize("value,label", [(1, "1"), ("5", "5"), (math.inf, "inf"), ("∞", "inf"), (3.0, "3")])
def test_parse(value, label):
    assert parse_n(value) == label


@pytest.mark.parametrize("value", [0, 6, 2.5, "two", -1, True])
def test_unknown_dimensionality_is_rejected(value):
    with pytest.raises(ValueError, match="expected one of 1, 2, 3, 4, 5, inf"):
        parse_n(value)


def test_formula_follows_stoichiometry():
    assert [formula(n) for n in N_VALUES] == [
        "(PEA)2PbBr4", "(PEA)2MAPb2Br7", "(PEA)2MA2Pb3Br10", "(PEA)2MA3Pb4Br13",
        "(PEA)2MA4Pb5Br16", "MAPbBr3"]
    assert n_numeric("inf") == math.inf
