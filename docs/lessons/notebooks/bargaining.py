# %% [markdown]
# # Bargaining model of war
#
# **The question.** War destroys value, so for any war there should be a deal both sides prefer. Why
# do states fight anyway? Fearon's (1995) bargaining range, private information and the commitment
# problem are explained in the lesson page, [bargaining.md](../bargaining.md). The simulation here
# uses 2,000 draws to run quickly; the lesson page uses 20,000.

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("bargaining")
run = run_teaching_model("bargaining", runs=2000)
print(run.text)

# %% [markdown]
# The bargaining range on the stake; then the probability of war as the uncertainty about B's cost
# widens (each point its own simulation, from its own seed) and the commitment problem.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# Make war costlier for A. What happens to A's demand and to the probability of war?

# %%
costly = run_teaching_model("bargaining", assignments=["cost_a=0.3"], runs=2000)
print(costly.text)

# %% [markdown]
# ## Exercises
#
# 1. Raise A's cost of war (the cell above). Explain from the formula for x* why a state that finds war
#    costly makes more modest demands and fights less often.
# 2. What happens to the war probability if B could credibly reveal its cost (for example by mobilising
#    visibly, a costly signal)? Model it by shrinking the uncertainty: `b_cost_low=0.15`,
#    `b_cost_high=0.25`.
# 3. For the commitment problem, find the smallest power shift p − p′ that triggers preventive war when
#    δ = 0.5 and when δ = 0.95. Why does patience make preventive war *more* likely?
