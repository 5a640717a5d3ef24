"""Device-aware learning: potentiation/depression curves, lookup-table devices, training of
the Fig. S11 networks and the digit data sets."""
