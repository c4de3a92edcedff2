"""Dialects: which format a file is, and the versioned facts about each tool."""
