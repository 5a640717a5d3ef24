"""Figures: the house style and the schematic drawings of Figs. 1, 4a and 5a."""
