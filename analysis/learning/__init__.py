"""Device-aware learning: potentiation/depression curves, lookup-table devices in differential
pairs, training of the Fig. S11 networks (with its experiments and the NeuroSim-compatible mode)
and the digit data sets."""
