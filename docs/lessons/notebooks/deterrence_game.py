# %% [markdown]
# # Iterated deterrence game
#
# **The question.** Two rivals meet again and again; each round each can show restraint (C) or
# escalate (D). Which strategies keep restraint going when moves sometimes misfire? The game, the
# strategies and the exact Markov-chain expectation are explained in the lesson page,
# [deterrence_game.md](../deterrence_game.md). Here each pairing plays 50 matches of 100 turns, to run
# quickly; the lesson page plays 200 of 200.

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("deterrence_game")
run = run_teaching_model("deterrence_game", assignments=["turns=100"], all_cases=True, runs=50)
print(run.text)

# %% [markdown]
# The payoff table of the noisy case, and the tournament ranking in both cases.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# Raise the noise to 10% in the noisy case only (`case="noisy"`: the noise-free case keeps no noise).

# %%
noisier = run_teaching_model("deterrence_game", case="noisy", assignments=["noise=0.1", "turns=100"], runs=50)
print(noisier.text)

# %% [markdown]
# ## Exercises
#
# 1. Raise the noise to 10% (the cell above). Which strategies lose most, and why do forgiving
#    strategies suffer less?
# 2. Make the game shorter with `turns=5` in every case (`all_cases=True`). What happens to ALLD's
#    rank, and what does this say about deterrence between rivals who do not expect to meet again?
# 3. Change the generosity of GTFT (`generosity=0.1`, then `0.6`, in the noisy case). Find the value that
#    maximises GTFT's tournament score under 5% noise. Is it the value Nowak and Sigmund derived, 1/3?
