"""The physics of the films and the synapse: dimensionality, optics and XRD, the device
models, the paper's pulse protocols on them, fits and energies."""
