# %% [markdown]
# # Lanchester attrition
#
# **The question.** If every soldier can aim at any enemy, does doubling an army double its strength,
# or more? And did a real battle follow such a simple law? The square law, the linear law and Engel's
# (1954) fit of Iwo Jima are explained in the lesson page, [lanchester.md](../lanchester.md).

# %%
# %matplotlib inline
from IPython.display import display

from wargame.teaching import get_model, run_teaching_model

model = get_model("lanchester")
run = run_teaching_model("lanchester")
print(run.text)

# %% [markdown]
# Both laws with the same forces, then Engel's model of Iwo Jima against the daily US reports (dots);
# the shaded days are the landing days.

# %%
for figure in model.figures(run.results).values():
    display(figure)

# %% [markdown]
# ## Change a parameter
#
# Land the third wave on day 5 instead of Engel's day 6. How far is the model from the reports on
# day 5 now?

# %%
early = run_teaching_model("lanchester", assignments=["iwo_us_landing_days=1,3,5"])
print(early.text.split("Iwo Jima")[1])
display(model.figures(early.results)["lanchester_iwo_jima"])

# %% [markdown]
# ## Exercises
#
# 1. How many troops would Red need to win under the square law? Work it out from α·x₀² = β·y₀², then
#    check with `assignments=["red_initial_troops=920"]`.
# 2. Keep the 13,000 troops of the third wave at sea (`iwo_us_landing_days=1,3` and
#    `iwo_us_landing_troops=54000,6000`). How many more US casualties does the model predict by day 36,
#    and is the garrison still destroyed?
# 3. Where does Engel's model miss the daily reports most, and in which direction? What in the history
#    of the battle (the landing beaches under fire, the fighting for Mount Suribachi, the last weeks in
#    the caves of the north) might explain it?
