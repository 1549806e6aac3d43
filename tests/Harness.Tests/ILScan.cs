using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Harness.Tests;

/// <summary>
/// Reads compiled code: the members a method's IL refers to, every type a type refers to (signatures and bodies), and the
/// source file of each type (from the assembly's portable PDB). The scans over the harness's own assemblies
/// (ScalarLifetimeTests, ArchitectureTests) are built on it.
/// </summary>
static class ILScan
{
    static readonly Dictionary<short, OpCode> OpCodesByValue =
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);
    public const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The members a method's IL names: methods called or loaded (call, callvirt, newobj, ldftn), and with <paramref name="all"/> also fields and type tokens.</summary>
    public static IEnumerable<MemberInfo> References(MethodBase method, bool all = false)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException) { il = null; }
        if (il == null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod || (all && op.OperandType is OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok))
            {
                MemberInfo? member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (ArgumentException) { }
                if (member != null) yield return member;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    /// <summary>The methods a method's IL calls (call, callvirt, newobj, ldftn), as the runtime resolves them.</summary>
    public static IEnumerable<MethodBase> Callees(MethodBase method) => References(method).OfType<MethodBase>();

    /// <summary>A type's methods and constructors, its own only.</summary>
    public static IEnumerable<MethodBase> Methods(Type type) => type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>Every type a type names: base, interfaces, fields, properties, signatures and the IL of its methods (generic arguments and element types unwrapped).</summary>
    public static IEnumerable<(Type Type, string Where)> ReferencedTypes(Type type)
    {
        IEnumerable<Type> Unwrap(Type? t)
        {
            if (t == null) yield break;
            while (t.HasElementType) t = t.GetElementType()!;
            if (t.IsGenericParameter) yield break;
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var a in t.GetGenericArguments()) foreach (var u in Unwrap(a)) yield return u;
                t = t.GetGenericTypeDefinition();
            }
            yield return t;
        }
        string name = type.Name;
        foreach (var t in Unwrap(type.BaseType)) yield return (t, name);
        foreach (var i in type.GetInterfaces()) foreach (var t in Unwrap(i)) yield return (t, name);
        foreach (var f in type.GetFields(Declared)) foreach (var t in Unwrap(f.FieldType)) yield return (t, $"{name}.{f.Name}");
        foreach (var p in type.GetProperties(Declared)) foreach (var t in Unwrap(p.PropertyType)) yield return (t, $"{name}.{p.Name}");
        foreach (var m in Methods(type))
        {
            string where = $"{name}.{m.Name}";
            if (m is MethodInfo mi) foreach (var t in Unwrap(mi.ReturnType)) yield return (t, where);
            foreach (var p in m.GetParameters()) foreach (var t in Unwrap(p.ParameterType)) yield return (t, where);
            foreach (var r in References(m, all: true))
                foreach (var t in Unwrap(r as Type ?? r.DeclaringType)) yield return (t, where);
        }
    }

    /// <summary>
    /// The source file of every type of <paramref name="assembly"/> that has one, as the part of its path after
    /// <paramref name="marker"/> (e.g. "src/Harness.Core/"), with '/' (a nested or compiler-made type: its outermost type's
    /// file), read from the portable PDB beside the assembly. Files outside the marker (generated code) are left out.
    /// </summary>
    public static Dictionary<Type, string> SourceFiles(Assembly assembly, string marker)
    {
        using var stream = File.OpenRead(Path.ChangeExtension(assembly.Location, ".pdb"));
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var pdb = provider.GetMetadataReader();
        var fileOfMethod = new Dictionary<int, string>();
        foreach (var h in pdb.MethodDebugInformation)
        {
            var info = pdb.GetMethodDebugInformation(h);
            if (info.Document.IsNil) continue;
            var path = pdb.GetString(pdb.GetDocument(info.Document).Name).Replace('\\', '/');
            fileOfMethod[MetadataTokens.GetToken(h.ToDefinitionHandle())] = path;
        }
        string? Own(Type t) => Methods(t).Select(m => fileOfMethod.GetValueOrDefault(m.MetadataToken)).FirstOrDefault(f => f != null && f.Contains(marker, StringComparison.Ordinal));
        string? Of(Type t) => Own(t) ?? t.GetNestedTypes(Declared).Select(Of).FirstOrDefault(f => f != null);
        var files = new Dictionary<Type, string>();
        foreach (var type in assembly.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType != null) outer = outer.DeclaringType;
            if (Of(outer) is { } file) files[type] = file[(file.LastIndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
        }
        return files;
    }
}
