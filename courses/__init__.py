"""Curriculum: competency frameworks, courses, modules, ethics modules, completion rules."""
