# %% [markdown]
# # Richardson arms race
#
# **The question.** Two rivals each arm because the other does. Does the race settle at some level, or
# does it run away? The model, its equilibrium and the stability condition m·n > a·b are explained in
# the lesson page, [richardson.md](../richardson.md). Run each cell in order (Shift+Enter); change the
# numbers and run again.

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("richardson")
run = run_teaching_model("richardson")
print(run.text)

# %% [markdown]
# The phase portraits: the vector field, the two nullclines (dashed), the saddle's dividing line (green)
# and each case's trajectory. Then the stocks over time.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# `assignments` takes the same `key=value` strings as `wargame teach --param`; `case` names the case
# they change (or `all_cases=True` changes every case). Here Y reacts three times as strongly. Before
# you run it: is m·n still larger than a·b?

# %%
changed = run_teaching_model("richardson", case="stable", assignments=["reaction_y_per_year=1.5"])
print(changed.text)

# %% [markdown]
# ## Exercises
#
# 1. Keep the stable case and raise Y's reaction (the cell above). Predict, before you run it, whether
#    the race stays stable (compute m·n and a·b). Where is the new equilibrium?
# 2. In the stable case, set both grievances to zero (`grievance_x_per_year=0`,
#    `grievance_y_per_year=0`). What is the equilibrium now, and what does it say about an arms race
#    between rivals with no standing grievance?
# 3. Take the disarmament case and start the rivals just above their saddle (`case="disarmament"`,
#    `initial_x=6`, `initial_y=5`). Which way does each side go? Find a start where one side begins
#    above 5 and the other below, yet both disarm.
# 4. Richardson estimated from 1909–1913 spending that reaction exceeded fatigue. Which one policy lever
#    (a, b, m, n, g or h) could an arms-control treaty plausibly change, and by how much would it have
#    to change to make the race stable? In a saddle, what else could a treaty change to turn a race
#    into disarmament?
