# %% [markdown]
# # Escalation ladder
#
# **The question.** An adversary can push from the status quo through gray-zone pressure up to
# invasion. How do an ally's credibility and intelligence sharing change the rung it chooses? The
# adversary's calculus (the engine's own) is explained in the lesson page,
# [escalation.md](../escalation.md).

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("escalation")
run = run_teaching_model("escalation")
print(run.text)

# %% [markdown]
# The utility of each rung in each case, and the map of the best rung over credibility and sharing.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# A more risk-tolerant adversary, in every case.

# %%
bold = run_teaching_model("escalation", assignments=["risk_tolerance=0.7"], all_cases=True)
print(bold.text)

# %% [markdown]
# ## Exercises
#
# 1. Find the smallest ally credibility that deters invasion when sharing is 0.5. Read it off the map,
#    then check with `case="baseline"` and `information_sharing=0.5` (the output lists the thresholds).
# 2. Make the adversary more risk-tolerant (the cell above). How high must credibility be now? What
#    does this say about deterring a risk-acceptant leader?
# 3. Edit the ladder: `rung_gain=0,2,4,6,12` in every case makes invasion more valuable. Which lever,
#    credibility or sharing, restores deterrence more cheaply, and why?
