# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fig. 4a — the multistore model of memory and the device's STP → LTP transition
#
# Atkinson and Shiffrin's multistore model (as cited by the paper, p. 5) has three stores:
# sensory memory, short-term memory (STM) and long-term memory (LTM). Attended stimuli enter
# STM; without rehearsal they are forgotten; frequent rehearsal transfers them to LTM.
#
# The paper maps this onto its synapse: one presynaptic spike raises the postsynaptic
# current, which decays back as the migrated Br⁻ diffuse back (short-term plasticity,
# Fig. 3a); after repeated spikes ("rehearsals", 30 in Fig. 4b) the current is retained and
# decays only as a slow power law y = b·t⁻ᵐ (long-term plasticity, Fig. 4b).
#
# This notebook only draws the diagram (boxes and arrows with matplotlib patches; the
# number of rehearsals comes from the Fig. 4b protocol in `data/paper/values.yaml`). The
# STP → LTP behaviour itself is *simulated* by the device model in the Fig. 4b notebook.
#
# **What to look at.** Only the mapping: a spike ↔ sensory input, the decaying EPSC ↔ short-term
# memory, rehearsal (30 spikes) ↔ transfer to long-term memory. The numbers behind it are in Fig.
# 4b.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root

# %%
import logging

from analysis.plotting import multistore
from analysis.plotting.style import save
from analysis.stage_io import resolve
from analysis.parameters import paper_values

logging.basicConfig(level=logging.INFO)
rehearsals = int(paper_values()["protocols"]["fig4b_retention"]["pulses"])
rehearsals

# %%
fig, drawn = multistore.fig4a_multistore(rehearsals)
save(fig, resolve(figures_dir) / "fig4a_multistore")
drawn
