"""The personal weekly sprint board: `/board`, the week's rule, its rendering."""
